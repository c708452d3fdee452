/**
 * WRITE_RECT format 3, LEVEL_RICE (docs/serial-protocol.md §5, protocol 1.3): each channel is
 * sent as the class of the level it is shown at (levels.ts), predicted from its neighbours by the
 * model both ends share (level-rice-model.ts: a blend of four linear predictors), and the
 * prediction error Rice-coded with a parameter taken from how wrong the neighbours' were. A
 * rectangle below the top of the panel is modelled from the draw-buffer rows above it (up to
 * PRIMED_ROWS), so a frame cut into bands codes about as small as one whole. Smooth full-colour
 * pictures (the plasma) cost about 1.25 bytes a pixel at 8 planes instead of 3. The firmware's
 * decoder (firmware/core/level_rice.c) mirrors this file; both are tested on
 * firmware/protocol/pixel-vectors.txt.
 */
import { LevelRiceModel, PRIMED_ROWS, type RowRef } from './level-rice-model';

/** A quotient this long or longer is sent as an escape and the class in 8 bits. */
export const ESCAPE_QUOTIENT = 16;
/** Most bytes one channel can take: an escape is 16 + 8 bits. */
const MAX_CHANNEL_BYTES = 3;

/** How many rows `above` holds for a rectangle `width` wide: 0..PRIMED_ROWS whole rows. */
function primedRows(above: Uint8Array | undefined, width: number): number {
  const rows = above ? above.length / (width * 3) : 0;
  if (!Number.isInteger(rows) || rows > PRIMED_ROWS)
    throw new RangeError(`the rows above must be 0..${PRIMED_ROWS} rows of ${width} pixels, got ${String(above?.length)} bytes`);
  return rows;
}

/** The rows of the device's draw buffer a rectangle is modelled from, top to bottom: `count` of them, row i at `row(i)`. */
export interface RowsAbove {
  readonly count: number;
  row(i: number): RowRef;
}

/** The rows above a rectangle `width` wide, packed in `above` as levelRiceRowsAbove returns them. */
function packedRowsAbove(above: Uint8Array | undefined, width: number): RowsAbove {
  const count = primedRows(above, width);
  const data = above ?? new Uint8Array(0);
  return { count, row: (i) => ({ data, at: i * width * 3 }) };
}

/**
 * The rows above a rectangle at (x, y), read in place from `buffer`, a frame `frameWidth` wide
 * (3 bytes a pixel): the same rows as levelRiceRowsAbove's, without copying them.
 */
export function levelRiceRowsAboveIn(buffer: Uint8Array, frameWidth: number, x: number, y: number): RowsAbove {
  const count = Math.min(y, PRIMED_ROWS);
  return { count, row: (i) => ({ data: buffer, at: ((y - count + i) * frameWidth + x) * 3 }) };
}

/**
 * What a rectangle at (x, y), `width` wide, is modelled from above it: the rows of `buffer` (a
 * frame `frameWidth` wide, 3 bytes a pixel: class indices, or values to map) above `y`, at most
 * PRIMED_ROWS of them, over the rectangle's columns, top to bottom.
 */
export function levelRiceRowsAbove(buffer: Uint8Array, frameWidth: number, x: number, y: number, width: number): Uint8Array {
  const rows = levelRiceRowsAboveIn(buffer, frameWidth, x, y);
  const out = new Uint8Array(rows.count * width * 3);
  for (let r = 0; r < rows.count; r++) {
    const { at } = rows.row(r);
    out.set(buffer.subarray(at, at + width * 3), r * width * 3);
  }
  return out;
}

/** Primes `model` with the rows `above` and returns the rows of the extended rectangle: index r + y is row y. */
function extend(model: LevelRiceModel, above: RowsAbove, row: (y: number) => RowRef): (y: number) => RowRef | undefined {
  const r = above.count;
  const at = (y: number): RowRef | undefined => (y < 0 ? undefined : y < r ? above.row(y) : row(y - r));
  for (let y = 0; y < r; y++) model.primeRow(at(y) as RowRef, at(y - 1), at(y - 2));
  return (y: number) => at(y + r);
}

/** The rows of the rectangle at (x0, y0) of `classIdx`, class indices `frameWidth` wide, 3 a pixel, row-major. */
function rowsOf(classIdx: Uint8Array, frameWidth: number, x0: number, y0: number): (y: number) => RowRef {
  return (y) => ({ data: classIdx, at: ((y0 + y) * frameWidth + x0) * 3 });
}

/**
 * Encodes a band of a rectangle row by row, keeping what each row ends at, so the band-cutter
 * (frame-encoder.ts) grows a band until it no longer fits a packet and takes the bytes up to the
 * row before without coding anything twice. One encoder codes band after band (`begin`),
 * keeping its buffers and its model's: V8 keeps a typed array of up to 64 bytes on its heap and
 * puts a longer one's memory outside it, which takes microseconds per array, and a frame update
 * codes several bands (docs/performance.md, section 1, "Fewer allocations per band").
 */
export class LevelRiceEncoder {
  private out = new Uint8Array(0);
  private length = 0;
  private acc = 0;
  private used = 0;
  /** Sized by `begin`. */
  private readonly model = new LevelRiceModel(0, 1);
  private row: (y: number) => RowRef | undefined = () => undefined;
  private width = 0;
  private rows = 0;
  /** [length, acc, used] after each row. */
  private ends: number[][] = [];

  /**
   * Starts a band: the rectangle (x0, y0), `width` wide and at most `maxRows` high, of a frame of
   * class indices `frameWidth` wide, for a device with `classCount` classes (levels.ts:
   * predictions are kept inside 0 .. classCount - 1), modelled from the device's draw-buffer
   * rows `above` it: min(y0, PRIMED_ROWS) rows (levelRiceRowsAboveIn).
   */
  begin(classIdx: Uint8Array, frameWidth: number, x0: number, y0: number, width: number, maxRows: number, classCount: number, above: RowsAbove): void {
    const size = width * 3 * MAX_CHANNEL_BYTES * maxRows + 1;
    if (this.out.length < size) this.out = new Uint8Array(size);
    this.length = 0;
    this.acc = 0;
    this.used = 0;
    this.rows = 0;
    this.ends = [];
    this.width = width;
    this.model.begin(width, classCount);
    this.row = extend(this.model, above, rowsOf(classIdx, frameWidth, x0, y0));
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
    const { model, width } = this;
    const y = this.rows;
    const cur = this.row(y) as RowRef;
    model.startRow(cur, this.row(y - 1), this.row(y - 2));
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const value = cur.data[cur.at + x * 3 + c];
        const k = model.riceParameter(x, c);
        const z = model.record(x, c, value, model.predict(x, c));
        const quotient = z >> k;
        if (quotient < ESCAPE_QUOTIENT) {
          // quotient one bits and the terminating zero, then the low k bits.
          this.write(((1 << quotient) - 1) << 1, quotient + 1);
          if (k > 0) this.write(z & ((1 << k) - 1), k);
        } else {
          this.write((1 << ESCAPE_QUOTIENT) - 1, ESCAPE_QUOTIENT);
          this.write(value, 8);
        }
      }
    }
    model.endRow();
    this.rows++;
    this.ends.push([this.length, this.acc, this.used]);
    return this.length + (this.used > 0 ? 1 : 0);
  }

  /** The band of the first `rows` rows coded so far, in a new array. Pad bits are zero: one picture, one coding. */
  bytes(rows: number): Uint8Array {
    const [length, acc, used] = this.ends[rows - 1];
    const out = this.out.slice(0, length + (used > 0 ? 1 : 0));
    if (used > 0) out[length] = (acc << (8 - used)) & 0xff;
    return out;
  }
}

/**
 * The LEVEL_RICE pixels of the rectangle (x0, y0, width, height) of a frame of class indices,
 * for a device with `classCount` classes (levels.ts); `above`: the class indices of the device's
 * draw-buffer rows above it, min(y0, PRIMED_ROWS) rows top to bottom.
 */
export function encodeLevelRice(
  classIdx: Uint8Array,
  frameWidth: number,
  x0: number,
  y0: number,
  width: number,
  height: number,
  classCount: number,
  above?: Uint8Array,
): Uint8Array {
  const encoder = new LevelRiceEncoder();
  encoder.begin(classIdx, frameWidth, x0, y0, width, height, classCount, packedRowsAbove(above, width));
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
 * buffer's rows above the rectangle, min(y, PRIMED_ROWS) rows top to bottom), or undefined when the data does not
 * code exactly that many pixels (nonzero pad bits, a byte too many or too few) or a class is
 * not below `classCount`.
 */
export function decodeLevelRice(data: Uint8Array, width: number, height: number, classCount: number, above?: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(width * height * 3);
  const reader = new BitReader(data);
  const model = new LevelRiceModel(width, classCount);
  const row = extend(model, packedRowsAbove(above, width), rowsOf(out, width, 0, 0));
  for (let y = 0; y < height; y++) {
    const cur = row(y) as RowRef;
    model.startRow(cur, row(y - 1), row(y - 2));
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const predicted = model.predict(x, c);
        const k = model.riceParameter(x, c);
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
        model.record(x, c, value, predicted);
        out[cur.at + x * 3 + c] = value;
      }
    }
    model.endRow();
  }
  return reader.atPaddedEnd() ? out : undefined;
}
