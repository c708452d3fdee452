// Conway's game of life on a 64x32 torus. A new random board is seeded when the game goes stale
// (it repeats a recent generation, e.g. still lifes, blinkers, or everything died) or runs long.
// A pattern pushed as data ('#', 'O' or '*' for live cells, one line per row) replaces the board.
// Config: "color" (young cells; old ones fade), "density" (share of live cells when seeding).
import { App, Colors, Payload, Random, config, mix, random, register, screen } from "@megabit/sdk";

const W = 64;
const H = 32;
/** Generations remembered to notice a repeat: catches every cycle of period 8 or less. */
const HISTORY = 8;
/** Even an active board is reseeded after this many generations (gliders can loop for ever). */
const MAX_GENERATIONS = 3000;
const OLD_AGE = 24;

class Life extends App {
  cells: StaticArray<u8> = new StaticArray<u8>(W * H);
  next: StaticArray<u8> = new StaticArray<u8>(W * H);
  /** Generations each cell has been alive, saturating at 255. */
  age: StaticArray<u8> = new StaticArray<u8>(W * H);
  history: StaticArray<u64> = new StaticArray<u64>(HISTORY);
  generation: i32 = 0;
  seeded: bool = false;

  onData(payload: Payload): void {
    const lines = payload.text().split("\n");
    const rows = min(lines.length, H);
    let cols = 0;
    for (let y = 0; y < rows; y++) cols = max(cols, min(lines[y].length, W));
    const top = (H - rows) / 2, left = (W - cols) / 2;
    this.clearBoard();
    for (let y = 0; y < rows; y++) {
      const line = lines[y];
      for (let x = 0; x < min(line.length, W); x++) {
        const c = line.charCodeAt(x);
        if (c == 0x23 || c == 0x4f || c == 0x2a) this.cells[(top + y) * W + left + x] = 1;
      }
    }
    this.restart();
  }

  run(): void {
    if (!this.seeded) this.seed(random());
    this.draw();
    this.step();
    const h = this.hash();
    let stale = this.generation >= MAX_GENERATIONS;
    for (let i = 0; i < HISTORY; i++) if (this.history[i] == h) stale = true;
    if (stale) this.seed(random());
    else this.history[this.generation % HISTORY] = h;
  }

  seed(rng: Random): void {
    const density = Math.max(0.05, Math.min(0.9, config.getNumber("density", 0.3)));
    for (let i = 0; i < W * H; i++) this.cells[i] = rng.chance(density) ? 1 : 0;
    this.restart();
  }

  clearBoard(): void {
    for (let i = 0; i < W * H; i++) this.cells[i] = 0;
  }

  restart(): void {
    for (let i = 0; i < W * H; i++) this.age[i] = 0;
    for (let i = 0; i < HISTORY; i++) this.history[i] = 0;
    this.generation = 0;
    this.history[0] = this.hash();
    this.seeded = true;
  }

  step(): void {
    for (let y = 0; y < H; y++) {
      const up = ((y + H - 1) % H) * W, row = y * W, down = ((y + 1) % H) * W;
      for (let x = 0; x < W; x++) {
        const l = (x + W - 1) % W, r = (x + 1) % W;
        const n = <i32>this.cells[up + l] + this.cells[up + x] + this.cells[up + r]
          + this.cells[row + l] + this.cells[row + r]
          + this.cells[down + l] + this.cells[down + x] + this.cells[down + r];
        const alive = this.cells[row + x] == 1;
        this.next[row + x] = n == 3 || (alive && n == 2) ? 1 : 0;
      }
    }
    for (let i = 0; i < W * H; i++) {
      this.age[i] = this.next[i] == 0 ? 0 : <u8>min(255, <i32>this.age[i] + 1);
    }
    const t = this.cells;
    this.cells = this.next;
    this.next = t;
    this.generation++;
  }

  /** FNV-1a over the board. */
  hash(): u64 {
    let h: u64 = 0xcbf29ce484222325;
    for (let i = 0; i < W * H; i++) h = (h ^ <u64>this.cells[i]) * 0x100000001b3;
    return h;
  }

  draw(): void {
    const young = config.getColor("color", Colors.GREEN);
    const old = mix(0, young, 0.3);
    screen.clear();
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (this.cells[i] == 0) continue;
        screen.pixel(x, y, mix(young, old, <f32>min(<i32>this.age[i], OLD_AGE) / <f32>OLD_AGE));
      }
    }
  }
}

register(new Life());
