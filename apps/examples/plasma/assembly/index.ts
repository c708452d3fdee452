// "Tidepool": two ripples drifting on Lissajous paths through a slowly turning wave, their
// interference mapped to colour. Each tick is one step of the animation, so it is smooth at any
// refresh rate. Config: "palette" ("rainbow", "fire" or "ocean") and "speed" (1-5).
import { App, config, hsv, register, screen } from "@megabit/sdk";

const W = 64;
const H = 32;

class Tidepool extends App {
  tick: i32 = 0;

  run(): void {
    const speed = <f32>max(1, min(5, config.getInt("speed", 2)));
    const palette = paletteOf(config.getString("palette", "rainbow"));
    const t = <f32>this.tick * 0.04 * speed;
    this.tick++;

    // Ripple centres wander over (and a little beyond) the display.
    const ax: f32 = 32 + 30 * Mathf.sin(t * 0.7), ay: f32 = 16 + 14 * Mathf.sin(t * 1.1 + 1);
    const bx: f32 = 32 + 28 * Mathf.cos(t * 0.5 + 2), by: f32 = 16 + 15 * Mathf.cos(t * 0.9);
    const angle = t * 0.2;
    const ux = Mathf.cos(angle), uy = Mathf.sin(angle);

    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const fx = <f32>x, fy = <f32>y;
        const da = Mathf.sqrt((fx - ax) * (fx - ax) + (fy - ay) * (fy - ay));
        const db = Mathf.sqrt((fx - bx) * (fx - bx) + (fy - by) * (fy - by));
        // Sum of three waves, in [-3, 3].
        const v = Mathf.sin(da * 0.35 - t * 2) + Mathf.sin(db * 0.28 + t * 1.5) + Mathf.sin((fx * ux + fy * uy) * 0.18 + t);
        const n = (v + 3) / 6; // 0..1
        const glow: f32 = 0.25 + 0.75 * (0.5 + 0.5 * Mathf.sin(v * 2.2));
        screen.pixel(x, y, colour(palette, n, t, glow));
      }
    }
  }
}

const RAINBOW = 0, FIRE = 1, OCEAN = 2;

// Once a tick, not once a pixel: comparing strings 2048 times a frame is measurable.
function paletteOf(name: string): i32 {
  if (name == "fire") return FIRE;
  if (name == "ocean") return OCEAN;
  return RAINBOW;
}

function colour(palette: i32, n: f32, t: f32, glow: f32): u32 {
  if (palette == FIRE) return hsv(n * 50, 1 - n * 0.3, glow);
  if (palette == OCEAN) return hsv(170 + n * 80, 0.9, glow);
  return hsv(n * 300 + t * 20, 1, glow);
}

register(new Tidepool());
