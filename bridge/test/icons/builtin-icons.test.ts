/**
 * The starter set shipped in bridge/icons/: enough of them, each a valid picture, every one named
 * in docs/icons.md, and the picture there (docs/images/icons.png) drawn from the files by this
 * test, so it cannot drift from them. The text-art format's refusals are checked too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidIconName } from '@megabit/contract';
import { BUILTIN_ICONS_DIR, loadBuiltInIcons } from '../../src/icons/builtin-icons';
import { MAX_ICON_SIZE } from '../../src/icons/icon';
import { parseTextArt } from '../../src/icons/text-art';
import { REPO_ROOT } from '../helpers/bridge-process';
import { iconSheet } from '../helpers/icon-sheet';

const DOC = join(REPO_ROOT, 'docs', 'icons.md');
const PICTURE = join(REPO_ROOT, 'docs', 'images', 'icons.png');
const icons = loadBuiltInIcons();

/** docs/icons.md's table of built-ins: each group with its icons' names, in order. */
function documentedGroups(): { group: string; names: string[] }[] {
  const doc = readFileSync(DOC, 'utf8');
  const table = doc.slice(doc.indexOf('| group | icons |'));
  return table
    .split('\n')
    .slice(2)
    .filter((line) => line.startsWith('|'))
    .map((line) => {
      const [group, names] = line
        .split('|')
        .slice(1, 3)
        .map((c) => c.trim());
      return { group: group!, names: [...names!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) };
    });
}

describe('the built-in icons', () => {
  it('are at least 30, validly named, at most 32x32, and opaque where drawn', () => {
    expect(icons.size).toBeGreaterThanOrEqual(30);
    for (const [name, icon] of icons) {
      expect(isValidIconName(name)).toBe(true);
      expect(icon.width).toBeLessThanOrEqual(MAX_ICON_SIZE);
      expect(icon.height).toBeLessThanOrEqual(MAX_ICON_SIZE);
      // Something is drawn, and no pixel is half transparent (an LED is lit or not).
      const alphas = new Set(icon.frames.flatMap((f) => [...f.rgba.filter((_, i) => i % 4 === 3)]));
      expect(alphas.has(255)).toBe(true);
      expect([...alphas].filter((a) => a !== 0 && a !== 255)).toEqual([]);
    }
  });

  it('are each named once in docs/icons.md, by group', () => {
    const documented = documentedGroups().flatMap((g) => g.names);
    expect([...documented].sort()).toEqual([...icons.keys()].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('are drawn in docs/images/icons.png exactly as the files say (rewritten when they changed: commit it)', () => {
    const sheet = iconSheet(documentedGroups().map((g) => g.names.map((n) => icons.get(n)!)));
    let current: Buffer | undefined;
    try {
      current = readFileSync(PICTURE);
    } catch {
      current = undefined;
    }
    if (!current?.equals(sheet)) writeFileSync(PICTURE, sheet);
    expect(current?.equals(sheet) ? 'up to date' : `${PICTURE} was out of date and is rewritten: commit it`).toBe('up to date');
  });
});

describe('the text-art format', () => {
  it('reads a legend, "." as transparent, and frames after "--- <ms>" lines', () => {
    const icon = parseTextArt('blink', 'R #ff0000\n# a comment\n\nR.\n.R\n--- 250\n.R\nR.\n');
    expect([icon.width, icon.height, icon.frames.length, icon.frames[1]!.delayMs]).toEqual([2, 2, 2, 250]);
    expect([...icon.frames[0]!.rgba.subarray(0, 8)]).toEqual([255, 0, 0, 255, 0, 0, 0, 0]);
  });

  it.each([
    ['a character not in the legend', 'R #ff0000\nRX\n', /"X" in frame 1 row 1 is not in the legend/],
    ['ragged rows', 'R #ff0000\nRR\nR\n', /frame 1 is not 2x2/],
    ['"." in the legend', '. #ff0000\n..\n', /"\." is always transparent/],
    ['an empty picture', 'R #ff0000\n', /a picture of 0x0/],
    ['a picture over 32 wide', `R #ff0000\n${'R'.repeat(33)}\n`, /a picture of 33x1/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseTextArt('bad', text)).toThrow(message);
  });

  it('is what bridge/icons/ holds: one file per icon, read from beside the bridge sources', () => {
    expect(BUILTIN_ICONS_DIR).toBe(join(REPO_ROOT, 'bridge', 'icons'));
  });
});
