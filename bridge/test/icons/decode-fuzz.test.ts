/**
 * Damaged files never get past the decoders as anything but a clear refusal: thousands of valid
 * PNGs and GIFs with random bytes changed, cut or inserted either decode into an icon within the
 * limits or throw InvalidIconError / IconTooLargeError, never another error.
 */
import { IconTooLargeError, InvalidIconError } from '../../src/errors';
import { decodeIcon } from '../../src/icons/decode-image';
import { MAX_ICON_FRAMES, MAX_ICON_SIZE } from '../../src/icons/limits';
import { makeGif, makePng } from '../helpers/icon-images';
import { seededRandom } from '../helpers/seeded-random';

const SEED = 0x1c0;
const CASES = 1500;

function mutate(file: Buffer, random: () => number): Buffer {
  const bytes = Buffer.from(file);
  const pick = (n: number): number => Math.floor(random() * n);
  switch (pick(3)) {
    case 0:
      for (let i = 0, n = 1 + pick(8); i < n; i++) bytes[pick(bytes.length)] = pick(256);
      return bytes;
    case 1:
      return bytes.subarray(0, pick(bytes.length));
    default: {
      const at = pick(bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(16) }, () => pick(256))), bytes.subarray(at)]);
    }
  }
}

it.each([
  ['png', makePng(12, 9, (x, y) => [x * 20, y * 25, (x * y) & 255, x > 8 ? 0 : 255])],
  [
    'gif',
    makeGif(
      10,
      6,
      [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [9, 9, 9],
      ],
      [0, 1, 2, 3].map((f) => ({ indices: Array.from({ length: 60 }, (_, i) => (i * 7 + f) % 4), delayMs: 50, dispose: 1 + (f % 3), transparentIndex: 3 })),
    ),
  ],
] as const)(`%s files with random damage (seed ${SEED}) decode within the limits or are refused clearly`, (format, file) => {
  console.log(`seed ${SEED}`);
  const random = seededRandom(SEED);
  const outcomes = { decoded: 0, invalid: 0, tooLarge: 0 };
  for (let i = 0; i < CASES; i++) {
    const damaged = mutate(file, random);
    try {
      const icon = decodeIcon('f', damaged, format);
      expect(icon.width).toBeLessThanOrEqual(MAX_ICON_SIZE);
      expect(icon.height).toBeLessThanOrEqual(MAX_ICON_SIZE);
      expect(icon.frames.length).toBeGreaterThanOrEqual(1);
      expect(icon.frames.length).toBeLessThanOrEqual(MAX_ICON_FRAMES);
      for (const frame of icon.frames) expect(frame.rgba.length).toBe(icon.width * icon.height * 4);
      outcomes.decoded++;
    } catch (e) {
      if (e instanceof IconTooLargeError) outcomes.tooLarge++;
      else if (e instanceof InvalidIconError) outcomes.invalid++;
      else throw new Error(`case ${i}: ${String(e)} (${damaged.toString('base64')})`);
    }
  }
  // Damage of every kind was met: some files still decoded, some were refused as broken.
  expect(outcomes.decoded).toBeGreaterThan(0);
  expect(outcomes.invalid).toBeGreaterThan(0);
});
