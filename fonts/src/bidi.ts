/**
 * Right-to-left text in display order: a one-line subset of the Unicode bidirectional algorithm
 * (UAX #9) without explicit embeddings. Letters are strong left-to-right (L) or right-to-left (R,
 * Hebrew and Arabic); a number stays left-to-right inside right-to-left text; neutrals between two
 * runs of one direction take it, others take the paragraph's, which is that of the first strong
 * letter. Brackets in right-to-left runs are mirrored. The SDK carries the same rules in
 * AssemblyScript (apps/sdk/assembly/bidi.ts); a test holds the two to the same answers.
 */

/** L/R strong, EN digit, ES plus/minus, ET currency and the like, CS number separator, WS space, ON other neutral. */
export type BidiClass = 'L' | 'R' | 'EN' | 'ES' | 'ET' | 'CS' | 'WS' | 'ON';

export interface VisualChar {
  readonly char: string;
  readonly codePoint: number;
  /** Its index among the text's code points, in reading (logical) order. */
  readonly index: number;
}

const isRtlLetter = (cp: number): boolean => (cp >= 0x590 && cp <= 0x8ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);

export function bidiClass(cp: number): BidiClass {
  if (cp >= 0x30 && cp <= 0x39) return 'EN';
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return 'L';
  if (cp === 0x20 || cp === 0x09 || cp === 0x2028 || (cp >= 0x2000 && cp <= 0x200a)) return 'WS';
  if (cp === 0x2b || cp === 0x2d || cp === 0x2212) return 'ES';
  if (
    cp === 0x23 ||
    cp === 0x24 ||
    cp === 0x25 ||
    cp === 0xb0 ||
    cp === 0xb1 ||
    (cp >= 0xa2 && cp <= 0xa5) ||
    cp === 0x2030 ||
    (cp >= 0x20a0 && cp <= 0x20cf)
  ) {
    return 'ET';
  }
  if (cp === 0x2c || cp === 0x2e || cp === 0x2f || cp === 0x3a || cp === 0xa0) return 'CS';
  if (isRtlLetter(cp)) return cp === 0x5be || cp === 0x5c0 || cp === 0x5c3 || cp === 0x5c6 || cp === 0x5f3 || cp === 0x5f4 ? 'ON' : 'R';
  if (cp < 0xc0 || cp === 0xd7 || cp === 0xf7 || (cp >= 0x2010 && cp <= 0x2bff)) return 'ON';
  return 'L';
}

/** The partner a bracket-like character is drawn as in a right-to-left run. */
const MIRRORED: ReadonlyMap<number, number> = new Map(
  [
    [0x28, 0x29],
    [0x3c, 0x3e],
    [0x5b, 0x5d],
    [0x7b, 0x7d],
    [0xab, 0xbb],
    [0x2039, 0x203a],
    [0x2264, 0x2265],
  ].flatMap(([a, b]) => [
    [a!, b!],
    [b!, a!],
  ]),
);

/** Which direction a neutral next to this class sees: L, R (numbers count as R) or none. */
function strongSide(c: BidiClass): 'L' | 'R' | undefined {
  if (c === 'L') return 'L';
  if (c === 'R' || c === 'EN') return 'R';
  return undefined;
}

/** W4-W7: numbers with their separators and signs, then numbers after L letters become L. */
function resolveWeak(classes: BidiClass[], sos: 'L' | 'R'): void {
  const n = classes.length;
  for (let i = 1; i + 1 < n; i++) {
    if ((classes[i] === 'ES' || classes[i] === 'CS') && classes[i - 1] === 'EN' && classes[i + 1] === 'EN') classes[i] = 'EN';
  }
  for (let i = 0; i < n; i++) {
    if (classes[i] !== 'ET') continue;
    let end = i;
    while (end < n && classes[end] === 'ET') end++;
    if ((i > 0 && classes[i - 1] === 'EN') || (end < n && classes[end] === 'EN')) classes.fill('EN', i, end);
    i = end - 1;
  }
  let lastStrong = sos;
  for (let i = 0; i < n; i++) {
    const c = classes[i]!;
    if (c === 'ES' || c === 'ET' || c === 'CS') classes[i] = 'ON';
    else if (c === 'L' || c === 'R') lastStrong = c;
    else if (c === 'EN' && lastStrong === 'L') classes[i] = 'L';
  }
}

/** N1/N2: each run of neutrals takes the direction on both its sides, else the paragraph's. */
function resolveNeutrals(classes: BidiClass[], paragraph: 'L' | 'R'): void {
  const n = classes.length;
  for (let i = 0; i < n; i++) {
    if (strongSide(classes[i]!)) continue;
    let end = i;
    while (end < n && !strongSide(classes[end]!)) end++;
    const before = i === 0 ? paragraph : strongSide(classes[i - 1]!)!;
    const after = end === n ? paragraph : strongSide(classes[end]!)!;
    classes.fill(before === after ? before : paragraph, i, end);
    i = end - 1;
  }
}

/** The embedding level of each code point (even: left-to-right). */
export function bidiLevels(codePoints: readonly number[]): number[] {
  const original = codePoints.map(bidiClass);
  const firstStrong = original.find((c) => c === 'L' || c === 'R');
  const paragraph = firstStrong === 'R' ? 'R' : 'L';
  const base = paragraph === 'R' ? 1 : 0;
  const classes = [...original];
  resolveWeak(classes, paragraph);
  resolveNeutrals(classes, paragraph);
  const levels = classes.map((c) => {
    if (base === 0) return c === 'R' ? 1 : c === 'EN' ? 2 : 0;
    return c === 'R' ? 1 : 2;
  });
  // L1: spaces at the end of the line go back to the paragraph's level.
  for (let i = levels.length - 1; i >= 0 && original[i] === 'WS'; i--) levels[i] = base;
  return levels;
}

/** The text's characters left to right as they are shown. */
export function visualOrder(text: string): VisualChar[] {
  const chars = [...text].map((char, index) => ({ char, codePoint: char.codePointAt(0)!, index }));
  if (!chars.some((c) => isRtlLetter(c.codePoint))) return chars;
  const levels = bidiLevels(chars.map((c) => c.codePoint));
  const shown = chars.map((c, i) => {
    const mirror = levels[i]! % 2 === 1 ? MIRRORED.get(c.codePoint) : undefined;
    return mirror === undefined ? c : { char: String.fromCodePoint(mirror), codePoint: mirror, index: c.index };
  });
  // L2: from the highest level down to the lowest odd one, reverse every run at that level or above.
  const highest = Math.max(...levels);
  const lowestOdd = Math.min(...levels.filter((l) => l % 2 === 1));
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < shown.length; i++) {
      if (levels[i]! < level) continue;
      let end = i;
      while (end < shown.length && levels[end]! >= level) end++;
      reverse(shown, i, end);
      reverse(levels, i, end);
      i = end;
    }
  }
  return shown;
}

function reverse<T>(items: T[], start: number, end: number): void {
  for (let a = start, b = end - 1; a < b; a++, b--) [items[a], items[b]] = [items[b]!, items[a]!];
}
