/** Test peers and small frame utilities shared by the display tests. */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';
import type { Clock, ClockTimer, DisplayOutput } from '../../src/display';

/** An output that records everything the compositor hands it. */
export class RecordingOutput implements DisplayOutput {
  readonly frames: Uint8Array[] = [];
  readonly power: boolean[] = [];
  readonly brightness: number[] = [];
  constructor(readonly name = 'recording') {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  showFrame(frame: Uint8Array): void {
    this.frames.push(frame.slice());
  }
  setPower(on: boolean): void {
    this.power.push(on);
  }
  setBrightness(brightness: number): void {
    this.brightness.push(brightness);
  }
  get last(): Uint8Array {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) throw new Error('no frame was shown');
    return frame;
  }
}

export function solidFrame(r: number, g: number, b: number): Uint8Array {
  const frame = new Uint8Array(DISPLAY_WIDTH * DISPLAY_HEIGHT * 3);
  for (let i = 0; i < frame.length; i += 3) {
    frame[i] = r;
    frame[i + 1] = g;
    frame[i + 2] = b;
  }
  return frame;
}

export function rgbAt(frame: Uint8Array, x: number, y: number): [number, number, number] {
  const i = (y * DISPLAY_WIDTH + x) * 3;
  return [frame[i]!, frame[i + 1]!, frame[i + 2]!];
}

/** "x,y" of every pixel that is not black, in row-major order. */
export function litPixels(frame: Uint8Array): string[] {
  const lit: string[] = [];
  for (let y = 0; y < DISPLAY_HEIGHT; y++) {
    for (let x = 0; x < DISPLAY_WIDTH; x++) {
      const [r, g, b] = rgbAt(frame, x, y);
      if (r || g || b) lit.push(`${x},${y}`);
    }
  }
  return lit;
}

/** Pixels a pattern of rows ("#" lit) would light with its top-left corner at (x, y). */
export function patternPixels(rows: string[], x: number, y: number): string[] {
  const lit: string[] = [];
  for (const [dy, row] of rows.entries()) {
    for (const [dx, c] of [...row].entries()) if (c === '#') lit.push(`${x + dx},${y + dy}`);
  }
  return lit.sort(byRowThenColumn);
}

export function byRowThenColumn(a: string, b: string): number {
  const [ax, ay] = a.split(',').map(Number) as [number, number];
  const [bx, by] = b.split(',').map(Number) as [number, number];
  return ay - by || ax - bx;
}

/** Compares frames and names the first pixel that differs, instead of dumping 6144 bytes. */
export function frameDifference(actual: Uint8Array, expected: Uint8Array): string {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i += 3) {
    if (actual[i] !== expected[i] || actual[i + 1] !== expected[i + 1] || actual[i + 2] !== expected[i + 2]) {
      const p = i / 3;
      return `pixel ${p % 64},${Math.floor(p / 64)} is ${[...actual.subarray(i, i + 3)]}, expected ${[...expected.subarray(i, i + 3)]}`;
    }
  }
  return 'same';
}

/** A clock that moves only when told, for driving the pipeline without jest's fake timers. */
export class ManualClock implements Clock {
  /** `start`: where time begins (an epoch instant for the schedules' wall clock). */
  constructor(private time = 0) {}

  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as number);
  }

  /** The end of the current turn is the next `advance` (also `advance(0)`), before later timers. */
  atTurnEnd(callback: () => void): void {
    this.setTimeout(callback, 0);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order (timers they set fire too when due). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
    }
    this.time = end;
  }

  /** Moves to `instant` (an epoch time for the calendar clock), as `advance` does; never back. */
  advanceTo(instant: number): void {
    if (instant < this.time)
      throw new RangeError(`the clock only moves forward: ${new Date(instant).toISOString()} is before ${new Date(this.time).toISOString()}`);
    this.advance(instant - this.time);
  }
}
