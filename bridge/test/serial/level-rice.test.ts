/** LEVEL_RICE (WRITE_RECT format 3) and the level classes it codes: one spec with the firmware. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAME_BYTES } from '@megabit/contract';
import { frameUpdate } from '../../src/serial/frame-encoder';
import { FrameSync, type MessageSink } from '../../src/serial/frame-sync';
import { describeDevice } from '../../src/serial/link-session';
import {
  classIndices,
  crc32,
  decodeLevelRice,
  levelRiceRowsAbove,
  encodeLevelRice,
  GAMMA16,
  levelClasses,
  MAX_PACKET,
  type Message,
  PixelFormat,
  quantise,
  shownLevel,
} from '../../src/serial/protocol';
import { patternFrame } from '../helpers/serial/link-test-kit';
import { plasmaFrame } from '../helpers/serial/plasma-frames';

const FIRMWARE = join(__dirname, '../../../firmware');

interface PixelVector {
  name: string;
  kind: 'ok' | 'reject';
  depth: number;
  w: number;
  h: number;
  /** The draw buffer's rows above the rectangle (held values, 1 or 2 rows); undefined at the top. */
  above?: Uint8Array;
  pixels?: Uint8Array;
  bytes: Uint8Array;
}

function readPixelVectors(): PixelVector[] {
  const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/[0-9a-f]{2}/g) ?? [], (h) => parseInt(h, 16));
  return readFileSync(join(FIRMWARE, 'protocol/pixel-vectors.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [name, kind, dims, above, pixels, bytes] = line.split('|').map((f) => f.trim());
      const [depth, w, h] = dims.split(' ').map(Number);
      return {
        name,
        kind: kind as 'ok' | 'reject',
        depth,
        w,
        h,
        above: above === '-' ? undefined : hex(above),
        pixels: kind === 'ok' ? hex(pixels) : undefined,
        bytes: hex(bytes),
      };
    });
}

/** What a device at `depth` holds after decoding `bytes` for a w x h rectangle. */
function decodeToValues(bytes: Uint8Array, w: number, h: number, depth: number, above?: Uint8Array): Uint8Array | undefined {
  const classes = levelClasses(depth);
  return decodeLevelRice(
    bytes,
    w,
    h,
    classes.count,
    above?.map((v) => classes.classOf[v]),
  )?.map((c) => classes.valueOf[c]);
}

describe('level classes', () => {
  it('use the firmware gamma table', () => {
    const source = readFileSync(join(FIRMWARE, 'core/gamma.c'), 'utf8');
    const table = (source.split('{')[1].split('}')[0].match(/\d+/g) ?? []).map(Number);
    expect(table).toEqual(GAMMA16);
  });

  it.each([
    [8, 184],
    [7, 127],
    [6, 64],
    [1, 2],
  ])('at depth %i there are %i shown levels, each value sent as the smallest of its class', (depth, count) => {
    const classes = levelClasses(depth);
    expect(classes.count).toBe(count);
    for (let v = 0; v < 256; v++) {
      const sent = classes.valueOf[classes.classOf[v]];
      expect(sent).toBeLessThanOrEqual(v);
      expect(shownLevel(sent, depth)).toBe(shownLevel(v, depth));
    }
  });

  it.each([8, 6, 3, 1])('give every channel value its class and keep the frame it was given, at depth %i', (depth) => {
    const classes = levelClasses(depth);
    const frame = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff);
    const before = frame.slice();
    const indices = classIndices(frame, classes);
    expect(indices).toBeInstanceOf(Uint8Array);
    expect(indices).not.toBe(frame);
    expect(indices).toHaveLength(frame.length);
    for (let i = 0; i < frame.length; i++) expect(indices[i]).toBe(classes.classOf[frame[i]]);
    expect(frame).toEqual(before);
    expect(Math.max(...indices)).toBe(classes.count - 1);
    // Into an array given, which must be as long as the frame.
    const into = new Uint8Array(frame.length);
    expect(classIndices(frame, classes, into)).toBe(into);
    expect(into).toEqual(indices);
    expect(() => classIndices(frame, classes, new Uint8Array(frame.length - 1))).toThrow(/class indices need 512 bytes, got 511/);
  });

  it('refuses a depth outside 1..8', () => {
    expect(() => levelClasses(0)).toThrow(/colour depth must be 1..8/);
    expect(() => levelClasses(9)).toThrow(/colour depth must be 1..8/);
  });
});

describe('LEVEL_RICE against firmware/protocol/pixel-vectors.txt', () => {
  const vectors = readPixelVectors();

  it('has pictures and corrupt streams', () => {
    expect(vectors.filter((v) => v.kind === 'ok').length).toBeGreaterThanOrEqual(8);
    expect(vectors.filter((v) => v.kind === 'reject').length).toBeGreaterThanOrEqual(8);
  });

  it.each(vectors.filter((v) => v.kind === 'ok').map((v) => [v.name, v] as const))('%s: encodes to the bytes and back', (_, v) => {
    const classes = levelClasses(v.depth);
    const pixels = v.pixels ?? new Uint8Array();
    const above = v.above?.map((p) => classes.classOf[p]);
    expect(
      encodeLevelRice(
        pixels.map((p) => classes.classOf[p]),
        v.w,
        0,
        0,
        v.w,
        v.h,
        classes.count,
        above,
      ),
    ).toEqual(v.bytes);
    expect(decodeToValues(v.bytes, v.w, v.h, v.depth, v.above)).toEqual(pixels);
  });

  it.each(vectors.filter((v) => v.kind === 'reject').map((v) => [v.name, v] as const))('%s: refused', (_, v) => {
    expect(decodeToValues(v.bytes, v.w, v.h, v.depth)).toBeUndefined();
  });
});

describe('LEVEL_RICE codec', () => {
  it.each([8, 7, 6, 3])('round-trips any rectangle of a quantised frame at depth %i', (depth) => {
    const classes = levelClasses(depth);
    const frame = quantise(patternFrame(depth), classes);
    const idx = frame.map((v) => classes.classOf[v]);
    for (const [x, y, w, h] of [
      [0, 0, 64, 32],
      [5, 3, 1, 1],
      [63, 0, 1, 32],
      [10, 20, 17, 9],
    ]) {
      const rowOf = (data: Uint8Array, row: number): Uint8Array => data.subarray((row * 64 + x) * 3, (row * 64 + x + w) * 3);
      const expected = new Uint8Array(w * h * 3);
      for (let row = 0; row < h; row++) expected.set(rowOf(frame, y + row), row * w * 3);
      // Standing alone, and predicted from the row above it on the device.
      expect(decodeToValues(encodeLevelRice(idx, 64, x, y, w, h, classes.count), w, h, depth)).toEqual(expected);
      if (y > 0) {
        const above = levelRiceRowsAbove(idx, 64, x, y, w);
        expect(decodeToValues(encodeLevelRice(idx, 64, x, y, w, h, classes.count, above), w, h, depth, levelRiceRowsAbove(frame, 64, x, y, w))).toEqual(
          expected,
        );
      }
    }
  });

  it('refuses rows above that are not 0..2 whole rows of the rectangle', () => {
    const classes = levelClasses(8);
    const idx = new Uint8Array(FRAME_BYTES);
    expect(() => encodeLevelRice(idx, 64, 0, 5, 8, 2, classes.count, new Uint8Array(3 * 8 * 3))).toThrow(/rows above must be 0..2 rows of 8 pixels/);
    expect(() => encodeLevelRice(idx, 64, 0, 5, 8, 2, classes.count, new Uint8Array(8 * 3 + 1))).toThrow(/rows above must be 0..2 rows of 8 pixels/);
    expect(() => decodeLevelRice(new Uint8Array(4), 8, 2, classes.count, new Uint8Array(3 * 8 * 3))).toThrow(/rows above/);
  });

  it('refuses or decodes in range, never throws, whatever the bytes', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let n = 0; n < 2000; n++) {
      const data = Uint8Array.from({ length: rand() % 40 }, rand);
      const decoded = decodeLevelRice(data, 1 + (rand() % 8), 1 + (rand() % 4), levelClasses(8).count);
      if (decoded) for (const c of decoded) expect(c).toBeLessThan(184);
    }
  });
});

describe('frames in LEVEL_RICE', () => {
  const classes = levelClasses(8);

  function applyLevelRice(buffer: Uint8Array, rects: ReturnType<typeof frameUpdate>): Uint8Array {
    const out = Uint8Array.from(buffer);
    for (const r of rects) {
      const above = levelRiceRowsAbove(out, 64, r.x, r.y, r.w);
      const values =
        r.format === PixelFormat.LEVEL_RICE ? decodeToValues(r.pixels, r.w, r.h, 8, above) : r.format === PixelFormat.RGB888 ? r.pixels : undefined;
      if (!values) throw new Error('undecodable rect');
      for (let row = 0; row < r.h; row++) out.set(values.subarray(row * r.w * 3, (row + 1) * r.w * 3), ((r.y + row) * 64 + r.x) * 3);
    }
    return out;
  }

  it.each([MAX_PACKET, 256, 64])('send a plasma frame losslessly in packets of at most %i bytes', (limit) => {
    const frame = quantise(plasmaFrame(3), classes);
    const rects = frameUpdate(undefined, frame, limit, classes);
    for (const r of rects) expect(r.pixels.length + 10).toBeLessThanOrEqual(limit);
    expect(applyLevelRice(new Uint8Array(FRAME_BYTES), rects)).toEqual(frame);
    if (limit === MAX_PACKET) {
      expect(rects.every((r) => r.format === PixelFormat.LEVEL_RICE)).toBe(true);
      expect(rects.reduce((sum, r) => sum + r.pixels.length, 0)).toBeLessThan(FRAME_BYTES * 0.55);
    }
  });

  it('predict each band from what the device holds above it, frame after frame and in small diffs', () => {
    let device: Uint8Array = new Uint8Array(FRAME_BYTES);
    let previous: Uint8Array | undefined;
    for (let tick = 0; tick < 6; tick++) {
      const frame = quantise(plasmaFrame(tick), classes);
      device = applyLevelRice(device, frameUpdate(previous, frame, MAX_PACKET, classes));
      expect(device).toEqual(frame);
      previous = frame;
    }
    // A small change in the middle: its first row is predicted from the unchanged row above.
    const next = Uint8Array.from(previous ?? []);
    for (let y = 10; y < 14; y++) for (let x = 20; x < 40; x++) next.set(quantise(Uint8Array.of(200, 90, (x * 7) & 0xff), classes), (y * 64 + x) * 3);
    const rects = frameUpdate(previous, next, MAX_PACKET, classes);
    expect(rects.map((r) => [r.format, r.y])).toEqual([[PixelFormat.LEVEL_RICE, 10]]);
    expect(applyLevelRice(device, rects)).toEqual(next);
  });

  it('code every band as a new encoder would, after wider and taller bands of other frames', () => {
    // frameUpdate keeps one encoder and its buffers from band to band and frame to frame.
    let device: Uint8Array = new Uint8Array(FRAME_BYTES);
    let previous: Uint8Array | undefined;
    let checked = 0;
    const narrow = Uint8Array.from(quantise(plasmaFrame(1), classes));
    for (let y = 3; y < 30; y++)
      for (let x = 40; x < 47; x++) narrow.set(quantise(Uint8Array.of(x * 5, 255 - y * 8, (x * y) & 0xff), classes), (y * 64 + x) * 3);
    for (const frame of [quantise(plasmaFrame(0), classes), quantise(plasmaFrame(1), classes), narrow, quantise(plasmaFrame(4), classes)]) {
      const idx = classIndices(frame, classes);
      const rects = frameUpdate(previous, frame, 256, classes);
      // The narrow band after wider ones is where stale padding columns would show.
      if (frame === narrow) expect(rects.some((r) => r.format === PixelFormat.LEVEL_RICE && r.w < 64)).toBe(true);
      for (const r of rects) {
        if (r.format === PixelFormat.LEVEL_RICE) {
          const above = levelRiceRowsAbove(classIndices(device, classes), 64, r.x, r.y, r.w);
          expect(r.pixels).toEqual(encodeLevelRice(idx, 64, r.x, r.y, r.w, r.h, classes.count, above));
          checked++;
        }
        device = applyLevelRice(device, [r]);
      }
      expect(device).toEqual(frame);
      previous = frame;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('are chosen only when smaller: a flat frame still goes as one RLE888 run', () => {
    const flat = quantise(new Uint8Array(FRAME_BYTES).fill(200), classes);
    expect(frameUpdate(undefined, flat, MAX_PACKET, classes).map((r) => r.format)).toEqual([PixelFormat.RLE888]);
  });

  function recordingSink(): MessageSink & { sent: Message[] } {
    const sent: Message[] = [];
    return {
      sent,
      queued: 0,
      send(message) {
        sent.push(message);
        return true;
      },
    };
  }

  it('FrameSync quantises for a 1.3 device and commits the CRC of what it holds', () => {
    const sync = new FrameSync(() => undefined);
    sync.restart(classes);
    const frame = plasmaFrame(5);
    sync.show(frame);
    const sink = recordingSink();
    sync.pump(sink, MAX_PACKET);
    const rects = sink.sent.filter((m) => m.name === 'WRITE_RECT');
    expect(rects.every((r) => r.format === PixelFormat.LEVEL_RICE)).toBe(true);
    const held = quantise(frame, classes);
    expect(sync.committed?.crc).toBe(crc32(held));
    expect(sync.committed?.crc).not.toBe(crc32(frame));
  });

  it('FrameSync sends an older device the exact frame in RGB888/RLE888', () => {
    const sync = new FrameSync(() => undefined);
    sync.restart(undefined);
    const frame = plasmaFrame(5);
    sync.show(frame);
    const sink = recordingSink();
    sync.pump(sink, MAX_PACKET);
    const formats = new Set(sink.sent.flatMap((m) => (m.name === 'WRITE_RECT' ? [m.format] : [])));
    expect([...formats].every((f) => f === PixelFormat.RGB888 || f === PixelFormat.RLE888)).toBe(true);
    expect(sync.committed?.crc).toBe(crc32(frame));
  });
});

describe('which devices get LEVEL_RICE', () => {
  const reply = (protoMinor: number, colourDepth: number) =>
    describeDevice({
      name: 'HELLO_REPLY',
      seq: 0,
      result: 0,
      protoMajor: 1,
      protoMinor,
      fwMajor: 0,
      fwMinor: 1,
      fwPatch: 0,
      width: 64,
      height: 32,
      colourDepth,
      maxPacket: 1024,
      window: 8,
      bootId: 1,
      board: 'b',
    });

  it('a 1.3 device with a depth of 1..8 planes', () => {
    expect(reply(3, 8).levelRice).toBe(true);
    expect(reply(4, 6).levelRice).toBe(true);
  });

  it('not a 1.0/1.1 device, nor a 1.2 one (its draft of LEVEL_RICE codes otherwise), nor one reporting a depth outside 1..8', () => {
    expect(reply(2, 8).levelRice).toBe(false);
    expect(reply(1, 8).levelRice).toBe(false);
    expect(reply(0, 8).levelRice).toBe(false);
    expect(reply(3, 0).levelRice).toBe(false);
    expect(reply(3, 9).levelRice).toBe(false);
  });
});
