/**
 * Full-colour animation frames like the plasma example's (apps/examples/plasma): interfering
 * ripples through an HSV rainbow, every pixel changing every frame. For codec tests and the qemu
 * end-to-end test; the bench runs the real app.
 */
const W = 64;
const H = 32;

function hsv(h: number, v: number): [number, number, number] {
  const hh = ((h % 360) + 360) % 360;
  const x = v * (1 - Math.abs(((hh / 60) % 2) - 1));
  const sector = Math.floor(hh / 60);
  const [r, g, b] = [
    [v, x, 0],
    [x, v, 0],
    [0, v, x],
    [0, x, v],
    [x, 0, v],
    [v, 0, x],
  ][sector];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

export function plasmaFrame(tick: number): Uint8Array {
  const t = tick * 0.08;
  const frame = new Uint8Array(W * H * 3);
  const ax = 32 + 30 * Math.sin(t * 0.7);
  const ay = 16 + 14 * Math.sin(t * 1.1 + 1);
  const bx = 32 + 28 * Math.cos(t * 0.5 + 2);
  const by = 16 + 15 * Math.cos(t * 0.9);
  const ux = Math.cos(t * 0.2);
  const uy = Math.sin(t * 0.2);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v =
        Math.sin(Math.hypot(x - ax, y - ay) * 0.35 - t * 2) + Math.sin(Math.hypot(x - bx, y - by) * 0.28 + t * 1.5) + Math.sin((x * ux + y * uy) * 0.18 + t);
      const glow = 0.25 + 0.75 * (0.5 + 0.5 * Math.sin(v * 2.2));
      frame.set(hsv(((v + 3) / 6) * 300 + t * 20, glow), (y * W + x) * 3);
    }
  }
  return frame;
}
