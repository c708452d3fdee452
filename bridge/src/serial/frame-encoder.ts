/**
 * A frame update as WRITE_RECT messages: the changed rectangles (display/diff), each cut into
 * bands of rows that fit one packet of the size the link takes now (narrow strips first when
 * even one row is too long), each band in the smallest of raw RGB888, RLE888 and, for a device
 * that decodes it, LEVEL_RICE. All are lossless for the frame given (LEVEL_RICE needs a frame
 * already quantised to the device's level classes), so the device's frame CRC matches exactly.
 */
import { changedRects, type Rect } from '../display/diff';
import { HEIGHT, WIDTH } from '../display/frame';
import { classIndices, type LevelClasses, LevelRiceEncoder, levelRiceRowsAboveIn, MIN_PACKET, type MessageOf, PixelFormat } from './protocol';

/** WRITE_RECT's fixed fields: format, x, y, w, h. */
const RECT_FIELDS = 5;
const MAX_RUN = 255;

type WriteRect = MessageOf<'WRITE_RECT'>;

interface RunState {
  runs: number;
  colour: number;
  length: number;
}

function pixelAt(frame: Uint8Array, x: number, y: number): number {
  const i = (y * WIDTH + x) * 3;
  return (frame[i] << 16) | (frame[i + 1] << 8) | frame[i + 2];
}

function addRow(state: RunState, frame: Uint8Array, rect: Rect, y: number): RunState {
  let { runs, colour, length } = state;
  for (let x = rect.x; x < rect.x + rect.width; x++) {
    const c = pixelAt(frame, x, y);
    if (length > 0 && c === colour && length < MAX_RUN) {
      length++;
    } else {
      runs++;
      colour = c;
      length = 1;
    }
  }
  return { runs, colour, length };
}

function rawPixels(frame: Uint8Array, rect: Rect): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height * 3);
  for (let row = 0; row < rect.height; row++) {
    const start = ((rect.y + row) * WIDTH + rect.x) * 3;
    out.set(frame.subarray(start, start + rect.width * 3), row * rect.width * 3);
  }
  return out;
}

function rlePixels(frame: Uint8Array, rect: Rect, runs: number): Uint8Array {
  const out = new Uint8Array(runs * 4);
  let o = 0;
  let colour = -1;
  let length = 0;
  const flush = (): void => {
    out[o++] = length;
    out[o++] = colour >> 16;
    out[o++] = (colour >> 8) & 0xff;
    out[o++] = colour & 0xff;
  };
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const c = pixelAt(frame, x, y);
      if (length > 0 && c === colour && length < MAX_RUN) {
        length++;
        continue;
      }
      if (length > 0) flush();
      colour = c;
      length = 1;
    }
  }
  flush();
  return out;
}

/** A frame as class indices, for LEVEL_RICE. */
interface LevelFrame {
  classIdx: Uint8Array;
  /**
   * The class indices the device's draw buffer holds as the bands go out: what it held before
   * (where known), overwritten by each band sent. LEVEL_RICE predicts a band's first row from
   * the row above it there. Rows not known are never read: without a previous frame the whole
   * frame goes out top to bottom, so the row above a band is always one just sent.
   */
  held: Uint8Array;
  /** The device's number of classes. */
  classCount: number;
}

type Format = (typeof PixelFormat)[keyof typeof PixelFormat];

function smallest(raw: number, rle: number, rice: number): { format: Format; bytes: number } {
  if (rice < raw && rice < rle) return { format: PixelFormat.LEVEL_RICE, bytes: rice };
  return rle < raw ? { format: PixelFormat.RLE888, bytes: rle } : { format: PixelFormat.RGB888, bytes: raw };
}

/**
 * What frameUpdate works in, kept from call to call rather than allocated per band and per frame
 * (LevelRiceEncoder says why): it runs to its end without waiting, so no two calls share them at
 * once, and nothing it returns points into them. About 33 KB, for as long as the bridge runs.
 */
const work = {
  rice: new LevelRiceEncoder(),
  classIdx: new Uint8Array(0),
  held: new Uint8Array(0),
};

/** Cuts `rect` into bands of rows whose smallest encoding fits `maxPixelBytes`. */
function bands(frame: Uint8Array, rect: Rect, maxPixelBytes: number, levels?: LevelFrame): WriteRect[] {
  const out: WriteRect[] = [];
  let y0 = rect.y;
  while (y0 < rect.y + rect.height) {
    let state: RunState = { runs: 0, colour: 0, length: 0 };
    let rice: LevelRiceEncoder | undefined;
    if (levels) {
      rice = work.rice;
      // The rows above are read from `held` as the band is coded: it changes only once the band is cut.
      const above = levelRiceRowsAboveIn(levels.held, WIDTH, rect.x, y0);
      rice.begin(levels.classIdx, WIDTH, rect.x, y0, rect.width, rect.y + rect.height - y0, levels.classCount, above);
    }
    let choice = smallest(Infinity, Infinity, Infinity);
    let rows = 0;
    while (y0 + rows < rect.y + rect.height) {
      const next = addRow(state, frame, rect, y0 + rows);
      const candidate = smallest(rect.width * (rows + 1) * 3, next.runs * 4, rice ? rice.addRow() : Infinity);
      // One row always fits: `strips` made the rectangle narrow enough for that.
      if (rows > 0 && candidate.bytes > maxPixelBytes) break;
      state = next;
      choice = candidate;
      rows++;
    }
    const band: Rect = { x: rect.x, y: y0, width: rect.width, height: rows };
    out.push({
      name: 'WRITE_RECT',
      seq: 0,
      format: choice.format,
      x: band.x,
      y: band.y,
      w: band.width,
      h: band.height,
      pixels: choice.format === PixelFormat.LEVEL_RICE && rice ? rice.bytes(rows) : encodeBand(choice.format, frame, band, state.runs),
    });
    if (levels) {
      for (let row = y0; row < y0 + rows; row++) {
        const start = (row * WIDTH + rect.x) * 3;
        levels.held.set(levels.classIdx.subarray(start, start + rect.width * 3), start);
      }
    }
    y0 += rows;
  }
  return out;
}

function encodeBand(format: Format, frame: Uint8Array, band: Rect, runs: number): Uint8Array {
  return format === PixelFormat.RLE888 ? rlePixels(frame, band, runs) : rawPixels(frame, band);
}

/** Cuts `rect` into side-by-side strips narrow enough for one raw row to fit a packet. */
function strips(rect: Rect, maxPixelBytes: number): Rect[] {
  const widest = Math.max(1, Math.floor(maxPixelBytes / 3));
  const out: Rect[] = [];
  for (let x = rect.x; x < rect.x + rect.width; x += widest) {
    out.push({ ...rect, x, width: Math.min(widest, rect.x + rect.width - x) });
  }
  return out;
}

const FULL_FRAME: Rect = { x: 0, y: 0, width: WIDTH, height: HEIGHT };

/**
 * The WRITE_RECTs that turn `previous` (what the device's draw buffer holds) into `next`;
 * the whole frame when `previous` is unknown. With `classes` (a device that decodes LEVEL_RICE)
 * `next` must already be quantised to them (levels.ts `quantise`).
 */
export function frameUpdate(previous: Uint8Array | undefined, next: Uint8Array, maxPacket: number, classes?: LevelClasses): WriteRect[] {
  const maxPixelBytes = maxPacket - MIN_PACKET - RECT_FIELDS;
  const rects = previous ? changedRects(previous, next) : [FULL_FRAME];
  let levels: LevelFrame | undefined;
  if (classes) {
    if (work.classIdx.length !== next.length) {
      work.classIdx = new Uint8Array(next.length);
      work.held = new Uint8Array(next.length);
    }
    levels = {
      classIdx: classIndices(next, classes, work.classIdx),
      held: previous ? classIndices(previous, classes, work.held) : work.held.fill(0),
      classCount: classes.count,
    };
  }
  return rects.flatMap((rect) => strips(rect, maxPixelBytes)).flatMap((strip) => bands(next, strip, maxPixelBytes, levels));
}
