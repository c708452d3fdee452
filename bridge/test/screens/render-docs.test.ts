/**
 * The pictures in docs/screens.md ("What a screen can show") are what a device shows for the
 * JSON printed beside each one: the screen drawn as the scheduler runs it (a ScreenInstance, with
 * the built-in icons) and put through the compositor as the app frame. Every picture is drawn
 * again from its JSON and compared, so doc, picture and renderer cannot drift apart. After an intended change of the pictures (a new
 * font, a new layout), write them again with:
 *
 *   UPDATE_DOCS_IMAGES=1 npx jest bridge/test/screens/render-docs.test.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScreenContent } from '@megabit/contract';
import { PNG } from 'pngjs';
import { Compositor, encodeFramePng } from '../../src/display';
import { loadBuiltInIcons } from '../../src/icons/builtin-icons';
import { ScreenInstance } from '../../src/screens/screen-instance';
import { createLogger } from '../../src/util/logger';
import { litPixels, ManualClock, RecordingOutput } from '../helpers/display';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const DOC = join(REPO_ROOT, 'docs', 'screens.md');
const IMAGES = join(REPO_ROOT, 'docs', 'images');
const SCALE = 8;
const UPDATE = process.env.UPDATE_DOCS_IMAGES === '1';

/** The icons a device has without uploads: the doc's screens name the built-in `sun`. */
const ICONS = loadBuiltInIcons();
const log = createLogger('error');
/** Pictures of a moment other than the first: scrolling text some way in. */
const AT_MS: Record<string, number> = { 'screen-scroll.png': 3000 };
/** One picture at least for each kind of content, and one of them together. */
const REQUIRED = [
  'screen-text.png',
  'screen-scroll.png',
  'screen-rainbow.png',
  'screen-gradient.png',
  'screen-icon.png',
  'screen-progress.png',
  'screen-chart-bar.png',
  'screen-chart-line.png',
  'screen-draw.png',
  'screen-combined.png',
];

/** Each `![...](images/screen-*.png)` of the doc with the JSON block that follows it. */
function examples(): Array<{ image: string; content: ScreenContent }> {
  const doc = readFileSync(DOC, 'utf8');
  const found: Array<{ image: string; content: ScreenContent }> = [];
  for (const m of doc.matchAll(/!\[[^\]]*\]\(images\/(screen-[a-z0-9-]+\.png)\)\s*```json\n([\s\S]*?)\n```/g)) {
    found.push({ image: m[1]!, content: JSON.parse(m[2]!) as ScreenContent });
  }
  return found;
}

/** The panel's frame for `content`, `atMs` after the screen came up. */
async function rendered(content: ScreenContent, atMs: number): Promise<Uint8Array> {
  // The screen times its drawing by Date.now(): hold the clock still, then move it on by atMs.
  const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
  try {
    const screen = new ScreenInstance(
      'doc',
      () => ({ content, stale: false }),
      ICONS,
      () => undefined,
    );
    now.mockReturnValue(1_000_000 + atMs);
    const appFrame = await screen.run();
    if (!appFrame) throw new Error('the screen drew nothing');
    const output = new RecordingOutput();
    const compositor = new Compositor([output], { clock: new ManualClock(), log });
    compositor.setAppFrame(appFrame);
    compositor.start();
    compositor.stop();
    return output.last;
  } finally {
    now.mockRestore();
  }
}

/** The first pixel where `png` (the frame scaled up SCALE times) is not `frame`; undefined when none. */
function firstDifference(png: PNG, frame: Uint8Array): string | undefined {
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const p = (y * png.width + x) * 4;
      const f = (Math.floor(y / SCALE) * 64 + Math.floor(x / SCALE)) * 3;
      if (png.data[p] !== frame[f] || png.data[p + 1] !== frame[f + 1] || png.data[p + 2] !== frame[f + 2] || png.data[p + 3] !== 255) {
        return `panel pixel ${Math.floor(x / SCALE)},${Math.floor(y / SCALE)}`;
      }
    }
  }
  return undefined;
}

describe('docs/screens.md pictures', () => {
  const all = examples();

  it('shows every kind of content, each picture once, each with its JSON', () => {
    const images = all.map((e) => e.image);
    expect(new Set(images).size).toBe(images.length);
    expect([...images].sort()).toEqual([...REQUIRED].sort());
  });

  it.each(all.map((e) => [e.image, e.content] as const))('%s is what its JSON renders to', async (image, content) => {
    const frame = await rendered(content, AT_MS[image] ?? 0);
    expect(litPixels(frame).length).toBeGreaterThan(0);
    const path = join(IMAGES, image);
    if (UPDATE) {
      mkdirSync(IMAGES, { recursive: true });
      writeFileSync(path, encodeFramePng(frame, SCALE));
    }
    if (!existsSync(path)) throw new Error(`${path} is missing: UPDATE_DOCS_IMAGES=1 npx jest bridge/test/screens/render-docs.test.ts`);
    // Compared as pixels, not bytes (another zlib may compress the same picture differently).
    const committed = PNG.sync.read(readFileSync(path));
    expect([committed.width, committed.height]).toEqual([64 * SCALE, 32 * SCALE]);
    const differs = firstDifference(committed, frame);
    if (differs)
      throw new Error(`${image} differs from what its JSON renders to now (${differs}); if that is intended: UPDATE_DOCS_IMAGES=1 npx jest ${__filename}`);
    expect(differs).toBeUndefined();
  });
});
