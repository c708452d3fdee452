/**
 * Just enough TrueType to turn UnifontEX's outlines back into its pixels: the character map
 * (formats 4 and 12), glyph outlines (simple and composite) and advances. UnifontEX draws every
 * pixel as a square of the outline, so sampling the centre of each pixel inside the outline
 * (nonzero winding) gives the original bitmap exactly.
 */
'use strict';

/** Code point -> glyph index, from the first Unicode subtable of format 12 or else 4. */
function readCmap(cmap) {
  const count = cmap.readUInt16BE(2);
  const offsets = [];
  for (let i = 0; i < count; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const offset = cmap.readUInt32BE(8 + i * 8);
    if (platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10))) offsets.push(offset);
  }
  const byFormat = (format) => offsets.find((o) => cmap.readUInt16BE(o) === format);
  const map = new Map();
  const f12 = byFormat(12);
  if (f12 !== undefined) {
    const groups = cmap.readUInt32BE(f12 + 12);
    for (let g = 0; g < groups; g++) {
      const at = f12 + 16 + g * 12;
      const first = cmap.readUInt32BE(at);
      const last = cmap.readUInt32BE(at + 4);
      const glyph = cmap.readUInt32BE(at + 8);
      for (let cp = first; cp <= last; cp++) map.set(cp, glyph + cp - first);
    }
    return map;
  }
  const f4 = byFormat(4);
  if (f4 === undefined) throw new Error('cmap has no Unicode subtable of format 4 or 12');
  const segments = cmap.readUInt16BE(f4 + 6) / 2;
  const ends = f4 + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s++) {
    const end = cmap.readUInt16BE(ends + s * 2);
    const start = cmap.readUInt16BE(starts + s * 2);
    const delta = cmap.readInt16BE(deltas + s * 2);
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + s * 2);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph;
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const raw = cmap.readUInt16BE(rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) map.set(cp, glyph);
    }
  }
  return map;
}

class TrueTypeFont {
  /** @param {Map<string, Buffer>} tables */
  constructor(tables) {
    const need = (tag) => {
      const t = tables.get(tag);
      if (!t) throw new Error(`font has no ${tag} table`);
      return t;
    };
    const head = need('head');
    this.unitsPerEm = head.readUInt16BE(18);
    const longOffsets = head.readInt16BE(50) === 1;
    const loca = need('loca');
    this.glyphStart = (index) => (longOffsets ? loca.readUInt32BE(index * 4) : loca.readUInt16BE(index * 2) * 2);
    this.glyf = need('glyf');
    this.hmtx = need('hmtx');
    this.longMetrics = need('hhea').readUInt16BE(34);
    this.cmap = readCmap(need('cmap'));
  }

  advance(glyph) {
    return this.hmtx.readUInt16BE(Math.min(glyph, this.longMetrics - 1) * 4);
  }

  /** The glyph's closed contours, each a list of points on the outline (curves flattened). */
  contours(glyph, dx = 0, dy = 0) {
    const start = this.glyphStart(glyph);
    if (this.glyphStart(glyph + 1) === start) return [];
    const g = this.glyf.subarray(start);
    const count = g.readInt16BE(0);
    return count >= 0 ? simpleContours(g, count, dx, dy) : this.compositeContours(g, dx, dy);
  }

  compositeContours(g, dx, dy) {
    const out = [];
    let at = 10;
    for (;;) {
      const flags = g.readUInt16BE(at);
      const component = g.readUInt16BE(at + 2);
      const words = flags & 1;
      const a = words ? g.readInt16BE(at + 4) : g.readInt8(at + 4);
      const b = words ? g.readInt16BE(at + 6) : g.readInt8(at + 5);
      at += words ? 8 : 6;
      // Scaled components do not occur in a pixel font; their offsets are all this needs.
      if (flags & 0x08) at += 2;
      else if (flags & 0x40) at += 4;
      else if (flags & 0x80) at += 8;
      if (!(flags & 0x02)) throw new Error(`glyph component ${component} is placed by points, which is not supported`);
      out.push(...this.contours(component, dx + a, dy + b));
      if (!(flags & 0x20)) return out;
    }
  }
}

function simpleContours(g, count, dx, dy) {
  const ends = [];
  for (let c = 0; c < count; c++) ends.push(g.readUInt16BE(10 + c * 2));
  const points = count === 0 ? 0 : ends[count - 1] + 1;
  let at = 10 + count * 2;
  at += 2 + g.readUInt16BE(at);
  const flags = [];
  while (flags.length < points) {
    const flag = g[at++];
    flags.push(flag);
    if (flag & 0x08) for (let r = g[at++]; r > 0; r--) flags.push(flag);
  }
  const coords = (shortBit, sameBit, base) => {
    const values = [];
    let v = base;
    for (const flag of flags) {
      if (flag & shortBit) v += flag & sameBit ? g[at++] : -g[at++];
      else if (!(flag & sameBit)) {
        v += g.readInt16BE(at);
        at += 2;
      }
      values.push(v);
    }
    return values;
  };
  const xs = coords(0x02, 0x10, dx);
  const ys = coords(0x04, 0x20, dy);
  const contours = [];
  let first = 0;
  for (const end of ends) {
    const pts = [];
    for (let p = first; p <= end; p++) pts.push({ x: xs[p], y: ys[p], on: (flags[p] & 1) === 1 });
    contours.push(flatten(pts));
    first = end + 1;
  }
  return contours;
}

/** Quadratic curves become 8 straight pieces each: plenty for telling pixel centres apart. */
function flatten(pts) {
  const n = pts.length;
  if (n === 0) return [];
  const onAt = (i) => {
    const p = pts[i % n];
    if (p.on) return p;
    const q = pts[(i + 1) % n];
    return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, on: true };
  };
  const startIndex = pts.findIndex((p) => p.on);
  const out = [];
  let from = startIndex >= 0 ? pts[startIndex] : onAt(0);
  const base = Math.max(startIndex, 0);
  out.push(from);
  for (let k = 1; k <= n; k++) {
    const p = pts[(base + k) % n];
    if (p.on) {
      out.push(p);
      from = p;
      continue;
    }
    const to = pts[(base + k + 1) % n].on ? pts[(base + k + 1) % n] : onAt(base + k);
    for (let s = 1; s <= 8; s++) {
      const t = s / 8;
      out.push({ x: (1 - t) ** 2 * from.x + 2 * (1 - t) * t * p.x + t * t * to.x, y: (1 - t) ** 2 * from.y + 2 * (1 - t) * t * p.y + t * t * to.y });
    }
    from = to;
    if (pts[(base + k + 1) % n].on) k++;
  }
  return out;
}

/** Nonzero winding number of the point (x, y) against closed contours. */
function inside(contours, x, y) {
  let winding = 0;
  for (const c of contours) {
    for (let i = 0; i < c.length; i++) {
      const a = c[i];
      const b = c[(i + 1) % c.length];
      if (a.y <= y === b.y <= y) continue;
      const crossX = a.x + ((y - a.y) * (b.x - a.x)) / (b.y - a.y);
      if (crossX > x) winding += b.y > a.y ? 1 : -1;
    }
  }
  return winding !== 0;
}

/**
 * The glyph of `cp` as pixels at `pixelsPerEm` (16 for Unifont), or undefined when the font
 * has none. Rows are bit masks, leftmost pixel in the top bit of `width`.
 * @returns {import('./glyph').RawGlyph | undefined}
 */
function rasterise(font, cp, pixelsPerEm) {
  const glyph = font.cmap.get(cp);
  if (glyph === undefined) return undefined;
  const unit = font.unitsPerEm / pixelsPerEm;
  const advance = Math.round(font.advance(glyph) / unit);
  const contours = font.contours(glyph);
  const all = contours.flat();
  if (all.length === 0) return { advance, width: 0, left: 0, top: 0, rows: [] };
  const left = Math.floor(Math.min(...all.map((p) => p.x)) / unit);
  const right = Math.ceil(Math.max(...all.map((p) => p.x)) / unit);
  const bottom = Math.floor(Math.min(...all.map((p) => p.y)) / unit);
  const top = Math.ceil(Math.max(...all.map((p) => p.y)) / unit);
  const width = right - left;
  const rows = [];
  for (let row = top - 1; row >= bottom; row--) {
    let bits = 0;
    for (let col = left; col < right; col++) bits = bits * 2 + (inside(contours, (col + 0.5) * unit, (row + 0.5) * unit) ? 1 : 0);
    rows.push(bits);
  }
  return { advance, width, left, top, rows };
}

module.exports = { TrueTypeFont, rasterise };
