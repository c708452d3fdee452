// Right-to-left text in display order: the same one-line subset of the Unicode bidirectional
// algorithm (UAX #9) as the bridge's (fonts/src/bidi.ts), written again for AssemblyScript.
// Hebrew runs read right to left, numbers in them left to right; neutrals between two runs of one
// direction take it, others the paragraph's (that of the first strong letter); brackets in
// right-to-left runs are mirrored.

const L: u8 = 0;
const R: u8 = 1;
const EN: u8 = 2; // digit
const ES: u8 = 3; // plus, minus
const ET: u8 = 4; // currency, percent, degree
const CS: u8 = 5; // number separator
const WS: u8 = 6; // space
const ON: u8 = 7; // other neutral

function isRtlLetter(cp: i32): bool {
  return (cp >= 0x590 && cp <= 0x8ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);
}

export function bidiClass(cp: i32): u8 {
  if (cp >= 0x30 && cp <= 0x39) return EN;
  if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return L;
  if (cp == 0x20 || cp == 0x09 || cp == 0x2028 || (cp >= 0x2000 && cp <= 0x200a)) return WS;
  if (cp == 0x2b || cp == 0x2d || cp == 0x2212) return ES;
  if (cp == 0x23 || cp == 0x24 || cp == 0x25 || cp == 0xb0 || cp == 0xb1 || (cp >= 0xa2 && cp <= 0xa5) || cp == 0x2030 || (cp >= 0x20a0 && cp <= 0x20cf)) return ET;
  if (cp == 0x2c || cp == 0x2e || cp == 0x2f || cp == 0x3a || cp == 0xa0) return CS;
  if (isRtlLetter(cp)) return cp == 0x5be || cp == 0x5c0 || cp == 0x5c3 || cp == 0x5c6 || cp == 0x5f3 || cp == 0x5f4 ? ON : R;
  if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2010 && cp <= 0x2bff)) return ON;
  return L;
}

function mirrored(cp: i32): i32 {
  switch (cp) {
    case 0x28: return 0x29;
    case 0x29: return 0x28;
    case 0x3c: return 0x3e;
    case 0x3e: return 0x3c;
    case 0x5b: return 0x5d;
    case 0x5d: return 0x5b;
    case 0x7b: return 0x7d;
    case 0x7d: return 0x7b;
    case 0xab: return 0xbb;
    case 0xbb: return 0xab;
    case 0x2039: return 0x203a;
    case 0x203a: return 0x2039;
    case 0x2264: return 0x2265;
    case 0x2265: return 0x2264;
  }
  return cp;
}

/** The direction a neutral next to class `c` sees: L, R (numbers count as R), or 255 for none. */
function strongSide(c: u8): u8 {
  if (c == L) return L;
  if (c == R || c == EN) return R;
  return 255;
}

function codePointsOf(text: string): StaticArray<i32> {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) if (text.codePointAt(i) > 0xffff) i++;
  const out = new StaticArray<i32>(n);
  for (let i = 0, k = 0; i < text.length; i++, k++) {
    const c = text.codePointAt(i);
    unchecked(out[k] = c);
    if (c > 0xffff) i++;
  }
  return out;
}

/** The embedding level of each code point (even: left to right). */
export function bidiLevels(cps: StaticArray<i32>): StaticArray<u8> {
  const n = cps.length;
  const original = new StaticArray<u8>(n);
  const cls = new StaticArray<u8>(n);
  let paragraph: u8 = L;
  let found = false;
  for (let i = 0; i < n; i++) {
    const c = bidiClass(cps[i]);
    original[i] = c;
    cls[i] = c;
    if (!found && (c == L || c == R)) { paragraph = c; found = true; }
  }
  // W4: one separator or sign between two digits joins the number.
  for (let i = 1; i + 1 < n; i++) {
    if ((cls[i] == ES || cls[i] == CS) && cls[i - 1] == EN && cls[i + 1] == EN) cls[i] = EN;
  }
  // W5: currency and the like next to a number join it.
  for (let i = 0; i < n; i++) {
    if (cls[i] != ET) continue;
    let end = i;
    while (end < n && cls[end] == ET) end++;
    if ((i > 0 && cls[i - 1] == EN) || (end < n && cls[end] == EN)) for (let k = i; k < end; k++) cls[k] = EN;
    i = end - 1;
  }
  // W6, W7: other separators are neutral; a number after L letters is L.
  let lastStrong = paragraph;
  for (let i = 0; i < n; i++) {
    const c = cls[i];
    if (c == ES || c == ET || c == CS) cls[i] = ON;
    else if (c == L || c == R) lastStrong = c;
    else if (c == EN && lastStrong == L) cls[i] = L;
  }
  // N1, N2: neutrals take the direction on both their sides, else the paragraph's.
  for (let i = 0; i < n; i++) {
    if (strongSide(cls[i]) != 255) continue;
    let end = i;
    while (end < n && strongSide(cls[end]) == 255) end++;
    const before = i == 0 ? paragraph : strongSide(cls[i - 1]);
    const after = end == n ? paragraph : strongSide(cls[end]);
    const dir = before == after ? before : paragraph;
    for (let k = i; k < end; k++) cls[k] = dir;
    i = end - 1;
  }
  const base: u8 = paragraph == R ? 1 : 0;
  // Reuses cls for the levels.
  for (let i = 0; i < n; i++) {
    const c = cls[i];
    cls[i] = base == 0 ? (c == R ? 1 : c == EN ? 2 : 0) : (c == R ? 1 : 2);
  }
  // L1: spaces at the end of the line go back to the paragraph's level.
  for (let i = n - 1; i >= 0 && original[i] == WS; i--) cls[i] = base;
  return cls;
}

/** `text` as it is shown left to right: itself when it has no right-to-left letter. */
export function displayOrder(text: string): string {
  let rtl = false;
  for (let i = 0; i < text.length && !rtl; i++) rtl = isRtlLetter(text.charCodeAt(i));
  if (!rtl) return text;
  const cps = codePointsOf(text);
  const levels = bidiLevels(cps);
  const n = cps.length;
  let highest: u8 = 0;
  let lowestOdd: u8 = 255;
  for (let i = 0; i < n; i++) {
    const level = levels[i];
    if (level & 1) cps[i] = mirrored(cps[i]);
    if (level > highest) highest = level;
    if (level & 1 && level < lowestOdd) lowestOdd = level;
  }
  // L2: from the highest level down to the lowest odd one, reverse each run at that level or above.
  for (let level = <i32>highest; level >= <i32>lowestOdd; level--) {
    for (let i = 0; i < n; i++) {
      if (<i32>levels[i] < level) continue;
      let end = i;
      while (end < n && <i32>levels[end] >= level) end++;
      for (let a = i, b = end - 1; a < b; a++, b--) {
        const c = cps[a]; cps[a] = cps[b]; cps[b] = c;
        const l = levels[a]; levels[a] = levels[b]; levels[b] = l;
      }
      i = end;
    }
  }
  // Back to UTF-16: the same number of units as the text (mirroring stays in the BMP).
  const units = new StaticArray<u16>(text.length);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = cps[i];
    if (c > 0xffff) {
      units[k++] = <u16>(0xd800 + ((c - 0x10000) >> 10));
      units[k++] = <u16>(0xdc00 + ((c - 0x10000) & 0x3ff));
    } else {
      units[k++] = <u16>c;
    }
  }
  return String.UTF16.decodeUnsafe(changetype<usize>(units), <usize>k << 1);
}
