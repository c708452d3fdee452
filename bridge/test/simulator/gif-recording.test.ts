import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import { GifReader } from 'omggif';
import { GIF_SCALE, GifRecording, gifDelays } from '../../simulator/gif-recording';
import { ledDisk } from '../../simulator/led-layout';

function solid(r: number, g: number, b: number): Uint8Array {
  const frame = new Uint8Array(FRAME_BYTES);
  for (let i = 0; i < FRAME_BYTES; i += 3) frame.set([r, g, b], i);
  return frame;
}

/** A frame with a different colour in every pixel: more than a GIF palette holds. */
function gradient(): Uint8Array {
  const frame = new Uint8Array(FRAME_BYTES);
  for (let y = 0; y < DISPLAY_HEIGHT; y++) {
    for (let x = 0; x < DISPLAY_WIDTH; x++) frame.set([x * 4, y * 8, (x + y) * 2], (y * DISPLAY_WIDTH + x) * 3);
  }
  return frame;
}

function decode(gif: Uint8Array): { reader: GifReader; frames: Uint8Array[] } {
  const reader = new GifReader(Buffer.from(gif));
  const frames: Uint8Array[] = [];
  for (let i = 0; i < reader.numFrames(); i++) {
    const rgba = new Uint8Array(reader.width * reader.height * 4);
    reader.decodeAndBlitFrameRGBA(i, rgba);
    frames.push(rgba);
  }
  return { reader, frames };
}

/** The colour at the centre of LED (x, y) in a decoded GIF frame. */
function ledColour(rgba: Uint8Array, x: number, y: number): number[] {
  const px = x * GIF_SCALE + GIF_SCALE / 2;
  const py = y * GIF_SCALE + GIF_SCALE / 2;
  const i = (py * DISPLAY_WIDTH * GIF_SCALE + px) * 4;
  return [rgba[i], rgba[i + 1], rgba[i + 2]];
}

describe('gifDelays', () => {
  it('turns arrival times into hundredths of a second, the last frame lasting until the end', () => {
    expect(gifDelays([1000, 1100, 1350, 1360], 2000)).toEqual([10, 25, 1, 64]);
  });

  it('keeps the total length exact when every gap rounds the same way', () => {
    const times = [0, 14, 28, 42, 56, 70, 84, 98, 112, 126];
    const delays = gifDelays(times, 140);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(14);
  });
});

describe('GifRecording', () => {
  it('encodes the frames shown, exactly, with delays from their arrival times', () => {
    const red = solid(255, 0, 0);
    const mixed = solid(0, 0, 0);
    mixed.set([12, 200, 99], (5 * DISPLAY_WIDTH + 7) * 3);
    const recording = new GifRecording(0, 'pixels');
    recording.add(red, 0);
    recording.add(mixed, 400);
    const gif = recording.encode(1500)!;

    const { reader, frames } = decode(gif);
    expect([reader.width, reader.height]).toEqual([DISPLAY_WIDTH * GIF_SCALE, DISPLAY_HEIGHT * GIF_SCALE]);
    expect(reader.numFrames()).toBe(2);
    expect([reader.frameInfo(0).delay, reader.frameInfo(1).delay]).toEqual([40, 110]);
    expect(reader.loopCount()).toBe(0);
    expect(ledColour(frames[0], 63, 31)).toEqual([255, 0, 0]);
    expect(ledColour(frames[1], 7, 5)).toEqual([12, 200, 99]);
    expect(ledColour(frames[1], 8, 5)).toEqual([0, 0, 0]);
    // Plain pixels: the whole cell has the colour, up to its corner.
    const corner = (5 * GIF_SCALE * DISPLAY_WIDTH * GIF_SCALE + 7 * GIF_SCALE) * 4;
    expect([...frames[1].subarray(corner, corner + 3)]).toEqual([12, 200, 99]);
  });

  it('draws round LEDs with a black gap in LED style', () => {
    const recording = new GifRecording(0, 'led');
    recording.add(solid(0, 255, 0), 0);
    const { frames } = decode(recording.encode(100)!);
    const disk = ledDisk(GIF_SCALE);
    const width = DISPLAY_WIDTH * GIF_SCALE;
    for (let y = 0; y < GIF_SCALE; y++) {
      for (let x = 0; x < GIF_SCALE; x++) {
        const i = ((GIF_SCALE * 3 + y) * width + GIF_SCALE * 4 + x) * 4;
        expect([frames[0][i], frames[0][i + 1], frames[0][i + 2]]).toEqual(disk[y * GIF_SCALE + x] ? [0, 255, 0] : [0, 0, 0]);
      }
    }
    expect(disk[0]).toBe(0);
  });

  it('quantizes frames with more colours than a GIF palette to nearby colours', () => {
    const frame = gradient();
    const recording = new GifRecording(0, 'pixels');
    recording.add(frame, 0);
    const { frames } = decode(recording.encode(100)!);
    let worst = 0;
    for (let y = 0; y < DISPLAY_HEIGHT; y++) {
      for (let x = 0; x < DISPLAY_WIDTH; x++) {
        const got = ledColour(frames[0], x, y);
        const want = frame.subarray((y * DISPLAY_WIDTH + x) * 3, (y * DISPLAY_WIDTH + x) * 3 + 3);
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[c] - want[c]));
      }
    }
    expect(worst).toBeLessThanOrEqual(40);
  });

  it('copies frames, so a later change to the buffer does not alter the recording', () => {
    const frame = solid(1, 2, 3);
    const recording = new GifRecording(0, 'pixels');
    recording.add(frame, 0);
    frame.fill(255);
    const { frames } = decode(recording.encode(100)!);
    expect(ledColour(frames[0], 0, 0)).toEqual([1, 2, 3]);
  });

  it('gives no GIF when nothing was shown and ignores frames of the wrong size', () => {
    const recording = new GifRecording(0, 'led');
    recording.add(new Uint8Array(10), 5);
    expect(recording.frameCount).toBe(0);
    expect(recording.encode(100)).toBeUndefined();
  });
});
