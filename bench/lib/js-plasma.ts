/**
 * The benchmark's baseline app: a full-screen plasma (four interfering sine waves through a
 * rainbow palette) drawn in plain JavaScript, in-process, straight into a 6144-byte frame. It is
 * the same kind of per-pixel floating-point work as the plasma example, without the sandbox.
 */
const WIDTH = 64;
const HEIGHT = 32;

export function createJsPlasma(): { render(): Uint8Array } {
  const frame = new Uint8Array(WIDTH * HEIGHT * 3);
  let t = 0;
  return {
    render() {
      t += 0.04;
      for (let y = 0; y < HEIGHT; y++) {
        for (let x = 0; x < WIDTH; x++) {
          const dx = x - 32 + 10 * Math.sin(t * 0.5);
          const dy = y - 16 + 6 * Math.cos(t * 0.7);
          const v = Math.sin(x / 7 + t) + Math.sin(y / 5 - t * 1.3) + Math.sin((x + y) / 9 + t * 0.7) + Math.sin(Math.sqrt(dx * dx + dy * dy) / 4 - t);
          const i = (y * WIDTH + x) * 3;
          frame[i] = 127.5 + 127.5 * Math.sin(v * Math.PI);
          frame[i + 1] = 127.5 + 127.5 * Math.sin(v * Math.PI + 2.094);
          frame[i + 2] = 127.5 + 127.5 * Math.sin(v * Math.PI + 4.189);
        }
      }
      return frame;
    },
  };
}
