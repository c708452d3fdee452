/**
 * Glyphs as the converted fonts keep them: trimmed to their ink and placed against the line.
 *
 * @typedef {object} RawGlyph a glyph as its source font has it
 * @property {number} advance pixels the pen moves after it (side bearings included)
 * @property {number} width columns of its bitmap
 * @property {number} left column of the bitmap's left edge, from the pen
 * @property {number} top rows of the bitmap above the baseline
 * @property {number[]} rows one bit mask a row, top first, leftmost pixel in bit width-1
 *
 * @typedef {object} InkGlyph a glyph trimmed to its lit pixels
 * @property {number} width columns from its first to its last lit column (a blank glyph: its
 *   advance less the spacing that follows every glyph)
 * @property {number} top rows above the baseline of its first lit row
 * @property {number[]} rows bit masks of its lit rows, leftmost pixel in bit width-1
 */
'use strict';

/** Blank columns the fonts draw between two glyphs (the pixel fonts' own side bearing). */
const SPACING = 1;

/** @param {RawGlyph} raw @returns {InkGlyph} */
function trimToInk(raw) {
  const lit = raw.rows.map((bits, i) => ({ bits, i })).filter((r) => r.bits !== 0);
  if (lit.length === 0) return { width: Math.max(1, raw.advance - SPACING), top: 0, rows: [] };
  const mask = lit.reduce((m, r) => m | r.bits, 0);
  let low = 0;
  while (!((mask >> low) & 1)) low++;
  const width = Math.floor(Math.log2(mask)) + 1 - low;
  const first = lit[0].i;
  const last = lit[lit.length - 1].i;
  return { width, top: raw.top - first, rows: raw.rows.slice(first, last + 1).map((bits) => bits >> low) };
}

module.exports = { SPACING, trimToInk };
