import { type DrawCommand, FRAME_BYTES, type ScreenContent } from '@megabit/contract';
import { blankFrame } from '../../src/display';
import type { Icon } from '../../src/icons/icon';
import { renderScreen } from '../../src/screens/render';
import { frameDifference } from '../helpers/display';
import { iconFromPictures } from '../helpers/screen-pictures';
import { seededRandom } from '../helpers/seeded-random';

const SEED = 15;
const ICONS = new Map<string, Icon>([
  ['dot', iconFromPictures('dot', { r: '#ff0000' }, [{ rows: ['r'] }])],
  [
    'big',
    iconFromPictures('big', { r: '#ff0000' }, [
      { rows: Array(32).fill('r'.repeat(32)) as string[], delayMs: 0 },
      { rows: ['.'.repeat(32), ...Array(31).fill('r'.repeat(32))] as string[] },
    ]),
  ],
]);

/** Random well-typed content: odd numbers (negative, fractional, huge), odd strings, empty lists. */
function randomContent(random: () => number): ScreenContent {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = <T>(make: () => T): T | undefined => (random() < 0.5 ? make() : undefined);
  const num = () => pick([0, 1, -1, 7.5, -0.4, 63, 64, 100, 1e6, -1e9, 4096, 4097, Math.floor(random() * 200) - 50]);
  const color = () => pick(['#ffffff', '#000000', '#12ab9F', '#ff0000']);
  const str = () => pick(['', 'Hi', '😀 é ü', 'x'.repeat(300), 'line\nbreak\ttab', 'A text far too long for sixty-four columns']);
  const draw = (): DrawCommand =>
    pick<() => DrawCommand>([
      () => ({ pixel: [num(), num()], color: color() }),
      () => ({ line: [num(), num(), num(), num()], color: color() }),
      () => ({ rect: [num(), num(), num(), num()], color: color(), fill: random() < 0.5 }),
      () => ({ circle: [num(), num(), num()], color: color(), fill: random() < 0.5 }),
      () => ({ text: str(), at: [num(), num()], color: color(), font: pick(['small', 'regular'] as const) }),
      () => ({ bitmap: [num(), num(), num(), num()], pixels: Array.from({ length: Math.floor(random() * 20) }, () => (random() < 0.3 ? null : color())) }),
    ])();
  return {
    text: maybe(() =>
      pick<() => ScreenContent['text']>([
        () => str(),
        () => [{ t: str(), c: color() }, { t: str() }],
        () => ({
          value: random() < 0.5 ? str() : [{ t: str(), c: color() }],
          color: maybe(color),
          rainbow: maybe(() => random() < 0.5),
          gradient: maybe(() => [color(), color()] as [string, string]),
          font: maybe(() => pick(['small', 'regular'] as const)),
          scroll: maybe(() => pick(['auto', 'always', 'never'] as const)),
          speed: maybe(num),
          repeat: maybe(num),
          align: maybe(() => pick(['left', 'center', 'right'] as const)),
        }),
      ])(),
    ),
    icon: maybe(() =>
      random() < 0.5 ? pick(['dot', 'big', 'missing']) : { name: pick(['dot', 'big', 'missing']), position: pick(['left', 'right'] as const) },
    ),
    progress: maybe(() => (random() < 0.5 ? num() : { value: num(), color: maybe(color), background: maybe(color) })),
    chart: maybe(() => ({ type: pick(['bar', 'line'] as const), values: Array.from({ length: Math.floor(random() * 100) }, num), color: maybe(color) })),
    draw: maybe(() => Array.from({ length: Math.floor(random() * 6) }, draw)),
    background: maybe(color),
  };
}

describe('screen renderer: any well-typed content', () => {
  it(`renders without throwing, the same picture for the same content and time (seed ${SEED})`, () => {
    process.stdout.write(`render-robustness seed: ${SEED}\n`);
    const random = seededRandom(SEED);
    for (let i = 0; i < 400; i++) {
      const content = randomContent(random);
      const atMs = [0, 1, 33, 1234.5, -50, 1e9][i % 6]!;
      const frame = blankFrame();
      let info: ReturnType<typeof renderScreen> | undefined;
      expect(() => {
        info = renderScreen(frame, content, { atMs, icons: ICONS });
      }).not.toThrow();
      expect(frame.length).toBe(FRAME_BYTES);
      expect(info!.frameMs > 0).toBe(info!.animated);
      expect(Number.isFinite(info!.frameMs)).toBe(true);
      expect(Number.isInteger(info!.scrollPasses) && info!.scrollPasses >= 0).toBe(true);
      expect(info!.scrollPassMs > 0).toBe(info!.scrolling);
      // Pure: a copy of the content (not the same object) renders the same picture.
      const again = blankFrame().fill(99);
      renderScreen(again, structuredClone(content), { atMs, icons: ICONS });
      expect(frameDifference(again, frame)).toBe('same');
    }
  });
});
