/**
 * WRITE_RECT format 3, LEVEL_RICE (docs/serial-protocol.md §5): each channel is sent as the class
 * of the level it is shown at (levels.ts), predicted from its neighbours inside the rectangle
 * (and, for the first row, the device's draw-buffer row above it), and the prediction error
 * Rice-coded with a parameter taken from how wrong the neighbours' were. Smooth full-colour
 * pictures (the plasma) cost about 1.3-1.6 bytes a pixel at 8 planes instead of 3. The
 * firmware's decoder (firmware/core/level_rice.c) mirrors this file; both are tested on
 * firmware/protocol/pixel-vectors.txt.
 */

/** A quotient this long or longer is sent as an escape and the class in 8 bits. */
export const ESCAPE_QUOTIENT = 16;
const MAX_K = 7;
/** The context a channel at the rectangle's edge gets for its missing neighbour. */
const EDGE_MAGNITUDE = 2;

/** Median edge predictor (LOCO-I): left, up, up-left. */
function predict(a: number, b: number, c: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  if (c >= hi) return lo;
  if (c <= lo) return hi;
  return a + b - c;
}

/** k = floor(log2) of the mean error magnitude of the four neighbours already coded, 0..7. */
function riceParameter(previous: Uint16Array, current: Uint16Array, x: number, y: number, c: number, width: number): number {
  const left = x > 0 ? current[(x - 1) * 3 + c] : EDGE_MAGNITUDE;
  const up = y > 0 ? previous[x * 3 + c] : EDGE_MAGNITUDE;
  const upLeft = x > 0 && y > 0 ? previous[(x - 1) * 3 + c] : EDGE_MAGNITUDE;
  const upRight = y > 0 && x + 1 < width ? previous[(x + 1) * 3 + c] : EDGE_MAGNITUDE;
  const context = (left + up + upLeft + upRight + 2) >> 2;
  let k = 0;
  while (k < MAX_K && 2 << k <= context) k++;
  return k;
}

/** Most bytes one channel can take: an escape is 16 + 8 bits. */
const MAX_CHANNEL_BYTES = 3;

/**
 * Encodes a band of a rectangle row by row, keeping what each row ends at, so the band-cutter
 * (frame-encoder.ts) grows a band until it no longer fits a packet and takes the bytes up to the
 * row before without coding anything twice. Rows are read straight from the frame's class
 * indices (64 x 32 x 3, row-major).
 */
export class LevelRiceEncoder {
  private readonly out: Uint8Array;
  private length = 0;
  private acc = 0;
  private used = 0;
  private previous: Uint16Array;
  private current: Uint16Array;
  private rows = 0;
  /** [length, acc, used] after each row. */
  private readonly ends: number[][] = [];

  constructor(
    private readonly classIdx: Uint8Array,
    private readonly frameWidth: number,
    private readonly x0: number,
    private readonly y0: number,
    private readonly width: number,
    maxRows: number,
    /** The class indices (width*3) of the device's draw-buffer row above the rectangle, when y0 > 0. */
    private readonly above?: Uint8Array,
  ) {
    this.out = new Uint8Array(width * 3 * MAX_CHANNEL_BYTES * maxRows + 1);
    this.previous = new Uint16Array(width * 3);
    this.current = new Uint16Array(width * 3);
  }

  /** Bits, most significant first; count <= 17 keeps `acc` within 31 bits. */
  private write(value: number, count: number): void {
    this.acc = (this.acc << count) | value;
    this.used += count;
    while (this.used >= 8) {
      this.used -= 8;
      this.out[this.length++] = (this.acc >> this.used) & 0xff;
    }
    this.acc &= (1 << this.used) - 1;
  }

  /** Codes the next row; returns the band's bytes so far (the last one padded). */
  addRow(): number {
    const { classIdx, width, previous, current } = this;
    const y = this.rows;
    const stride = this.frameWidth * 3;
    const base = ((this.y0 + y) * this.frameWidth + this.x0) * 3;
    // The row above: the frame's, or on row 0 the device's draw buffer's (if there is one).
    const hasUp = y > 0 || this.above !== undefined;
    const upRow = y > 0 ? classIdx : (this.above ?? classIdx);
    const upBase = y > 0 ? base - stride : 0;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = base + x * 3 + c;
        const u = upBase + x * 3 + c;
        const a = x > 0 ? classIdx[i - 3] : hasUp ? upRow[u] : 0;
        const b = hasUp ? upRow[u] : a;
        const cc = x > 0 && hasUp ? upRow[u - 3] : b;
        const value = classIdx[i];
        const error = value - predict(a, b, cc);
        const z = error >= 0 ? 2 * error : -2 * error - 1;
        const k = riceParameter(previous, current, x, y, c, width);
        const quotient = z >> k;
        if (quotient < ESCAPE_QUOTIENT) {
          // quotient one bits and the terminating zero, then the low k bits.
          this.write(((1 << quotient) - 1) << 1, quotient + 1);
          if (k > 0) this.write(z & ((1 << k) - 1), k);
        } else {
          this.write((1 << ESCAPE_QUOTIENT) - 1, ESCAPE_QUOTIENT);
          this.write(value, 8);
        }
        current[x * 3 + c] = z;
      }
    }
    this.previous = current;
    this.current = previous;
    this.rows++;
    this.ends.push([this.length, this.acc, this.used]);
    return this.length + (this.used > 0 ? 1 : 0);
  }

  /** The band of the first `rows` rows coded so far. Pad bits are zero: one picture, one coding. */
  bytes(rows: number): Uint8Array {
    const [length, acc, used] = this.ends[rows - 1];
    const out = this.out.slice(0, length + (used > 0 ? 1 : 0));
    if (used > 0) out[length] = (acc << (8 - used)) & 0xff;
    return out;
  }
}

/**
 * The LEVEL_RICE pixels of the rectangle (x0, y0, width, height) of a frame of class indices;
 * `above`: the class indices of the device's draw-buffer row above it, required when y0 > 0.
 */
export function encodeLevelRice(
  classIdx: Uint8Array,
  frameWidth: number,
  x0: number,
  y0: number,
  width: number,
  height: number,
  above?: Uint8Array,
): Uint8Array {
  const encoder = new LevelRiceEncoder(classIdx, frameWidth, x0, y0, width, height, above);
  for (let y = 0; y < height; y++) encoder.addRow();
  return encoder.bytes(height);
}

class BitReader {
  private at = 0;
  constructor(private readonly data: Uint8Array) {}

  /** undefined past the end. */
  read(count: number): number | undefined {
    if (this.at + count > this.data.length * 8) return undefined;
    let value = 0;
    for (let i = 0; i < count; i++, this.at++) value = (value << 1) | ((this.data[this.at >> 3] >> (7 - (this.at & 7))) & 1);
    return value;
  }

  /** True when only zero pad bits of the last byte are left. */
  atPaddedEnd(): boolean {
    if (this.data.length * 8 - this.at >= 8) return false;
    const rest = this.data.length * 8 - this.at;
    return rest === 0 || (this.data[this.data.length - 1] & ((1 << rest) - 1)) === 0;
  }
}

/**
 * Class indices (width*height*3) from LEVEL_RICE pixels (`above`: the class indices of the draw
 * buffer's row above the rectangle, when it is not at the top), or undefined when the data does not
 * code exactly that many pixels (nonzero pad bits, a byte too many or too few) or a class is
 * not below `classCount`.
 */
export function decodeLevelRice(data: Uint8Array, width: number, height: number, classCount: number, above?: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(width * height * 3);
  const reader = new BitReader(data);
  let previous = new Uint16Array(width * 3);
  let current = new Uint16Array(width * 3);
  const at = (x: number, y: number, c: number): number => out[(y * width + x) * 3 + c];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const up = (col: number): number | undefined => (y > 0 ? at(col, y - 1, c) : above?.[col * 3 + c]);
        const a = x > 0 ? at(x - 1, y, c) : (up(x) ?? 0);
        const b = up(x) ?? a;
        const cc = x > 0 ? (up(x - 1) ?? b) : b;
        const predicted = predict(a, b, cc);
        const k = riceParameter(previous, current, x, y, c, width);
        let quotient = 0;
        for (;;) {
          const bit = reader.read(1);
          if (bit === undefined) return undefined;
          if (bit === 0) break;
          if (++quotient === ESCAPE_QUOTIENT) break;
        }
        let value: number;
        if (quotient === ESCAPE_QUOTIENT) {
          const raw = reader.read(8);
          if (raw === undefined) return undefined;
          value = raw;
        } else {
          const low = reader.read(k);
          if (low === undefined) return undefined;
          const z = (quotient << k) | low;
          value = predicted + (z & 1 ? -((z + 1) >> 1) : z >> 1);
        }
        if (value < 0 || value >= classCount) return undefined;
        const error = value - predicted;
        current[x * 3 + c] = error >= 0 ? 2 * error : -2 * error - 1;
        out[(y * width + x) * 3 + c] = value;
      }
    }
    [previous, current] = [current, previous];
  }
  return reader.atPaddedEnd() ? out : undefined;
}
