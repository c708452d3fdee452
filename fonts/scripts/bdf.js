/**
 * Reads the glyphs of a BDF bitmap font (the format Galmuri ships): per code point, the glyph's
 * rows as bit masks plus where it sits against the baseline.
 */
'use strict';

/**
 * @param {string} text the BDF file
 * @param {(cp: number) => boolean} wanted which code points to keep (the files hold thousands)
 * @returns {Map<number, import('./glyph').RawGlyph>}
 */
function parseBdf(text, wanted) {
  const glyphs = new Map();
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    if (!lines[i].startsWith('STARTCHAR')) {
      i++;
      continue;
    }
    const fields = {};
    i++;
    while (i < lines.length && !lines[i].startsWith('BITMAP')) {
      const [key, ...values] = lines[i].trim().split(/\s+/);
      fields[key] = values.map(Number);
      i++;
    }
    i++;
    const hexRows = [];
    while (i < lines.length && !lines[i].startsWith('ENDCHAR')) hexRows.push(lines[i++].trim());
    const cp = fields.ENCODING?.[0];
    if (cp === undefined || cp < 0 || !wanted(cp)) continue;
    const [width, height, xOffset, yOffset] = fields.BBX ?? [0, 0, 0, 0];
    if (hexRows.length !== height) throw new Error(`BDF glyph U+${cp.toString(16)}: ${hexRows.length} bitmap rows, BBX says ${height}`);
    // Each row is padded to whole bytes, leftmost pixel in the top bit.
    const rows = hexRows.map((hex) => Number.parseInt(hex || '0', 16) >>> (hex.length * 4 - width));
    glyphs.set(cp, { advance: fields.DWIDTH?.[0] ?? width + 1, width, left: xOffset, top: yOffset + height, rows });
  }
  return glyphs;
}

module.exports = { parseBdf };
