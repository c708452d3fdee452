#!/usr/bin/env node
/**
 * Builds Megabit's two text sizes from the fonts' npm packages into data/ (not committed):
 *   data/small.json    Galmuri7, then Galmuri9 (Greek, Cyrillic), then UnifontEX (Hebrew, the rest)
 *   data/regular.json  Galmuri11, then UnifontEX
 *   data/LICENSE-*.txt the fonts' licences (SIL OFL 1.1), which travel with their glyphs
 * A size takes each covered character from the first of its sources that has it. The bridge reads
 * the JSON through @megabit/fonts; the SDK's build turns it into AssemblyScript data.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseBdf } = require('./bdf');
const { woffTables } = require('./sfnt');
const { TrueTypeFont, rasterise } = require('./truetype');
const { covered, coveredCodePoints } = require('./coverage');
const { SPACING, trimToInk } = require('./glyph');

const ROOT = path.join(__dirname, '..');
const DATA = path.join(ROOT, 'data');
const packageDir = (name) => path.dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] }));
const packageVersion = (name) => JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')).version;

function galmuri(file) {
  const glyphs = parseBdf(fs.readFileSync(path.join(packageDir('galmuri'), 'dist', file), 'utf8'), covered);
  return { name: `${file.replace('.bdf', '')} (galmuri ${packageVersion('galmuri')})`, glyph: (cp) => glyphs.get(cp) };
}

function unifont() {
  const woff = fs.readFileSync(path.join(packageDir('@fontsource/unifontex'), 'files', 'unifontex-latin-400-normal.woff'));
  const font = new TrueTypeFont(woffTables(woff));
  return { name: `UnifontEX (@fontsource/unifontex ${packageVersion('@fontsource/unifontex')})`, glyph: (cp) => rasterise(font, cp, 16) };
}

/** The copyright line UnifontEX's name table carries (the package's LICENSE is the bare OFL). */
function unifontCopyright() {
  const woff = fs.readFileSync(path.join(packageDir('@fontsource/unifontex'), 'files', 'unifontex-latin-400-normal.woff'));
  const name = woffTables(woff).get('name');
  const count = name.readUInt16BE(2);
  const strings = name.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 12;
    if (name.readUInt16BE(at) !== 3 || name.readUInt16BE(at + 6) !== 0) continue;
    const bytes = name.subarray(strings + name.readUInt16BE(at + 10), strings + name.readUInt16BE(at + 10) + name.readUInt16BE(at + 8));
    return Buffer.from(bytes).swap16().toString('utf16le');
  }
  return 'UnifontEX: see https://unifoundry.com';
}

/**
 * The box drawn for a character no source has: a hollow rectangle as tall as a capital, sitting
 * on the baseline, so a missing letter is seen (never silently replaced by another one).
 */
function missingBox(capHeight) {
  const width = Math.max(4, Math.round(capHeight * 0.7));
  const full = 2 ** width - 1;
  const sides = 2 ** (width - 1) + 1;
  return { width, top: capHeight, rows: [full, ...Array(capHeight - 2).fill(sides), full] };
}

/**
 * A glyph placed in a line of `box.ascent` rows above the baseline and `box.descent` below: one
 * that reaches higher (a capital with an accent in a fallback font) moves down as far as the
 * descent allows; undefined when it cannot fit even so.
 */
function fitToLine(glyph, box) {
  const top = Math.min(glyph.top, box.ascent);
  if (glyph.rows.length - top > box.descent) return undefined;
  return { ...glyph, top };
}

/**
 * One size: each covered character from the first source that has it in a shape fitting the
 * line. `box` bounds the line, so one tall symbol in a fallback font cannot make every line of
 * text taller.
 */
function buildSize(name, sources, box) {
  const glyphs = new Map();
  const from = new Map(sources.map((s) => [s.name, 0]));
  const unfit = [];
  for (const cp of coveredCodePoints()) {
    let seen = false;
    for (const source of sources) {
      const raw = source.glyph(cp);
      seen ||= raw !== undefined;
      const glyph = raw && fitToLine(trimToInk(raw), box);
      if (!glyph) continue;
      glyphs.set(cp, glyph);
      from.set(source.name, from.get(source.name) + 1);
      break;
    }
    if (seen && !glyphs.has(cp)) unfit.push(`U+${cp.toString(16).toUpperCase()}`);
  }
  if (unfit.length > 0) console.log(`fonts: ${name}: left out (every source's glyph is too tall for the line): ${unfit.join(' ')}`);
  const capHeight = glyphs.get(0x48).top;
  const missing = missingBox(capHeight);
  const all = [...glyphs.values(), missing];
  const ascent = Math.max(...all.map((g) => g.top));
  const descent = Math.max(0, ...all.map((g) => g.rows.length - g.top));
  // Rows are stored from the top of the line, so a reader needs no baseline arithmetic.
  const entry = (g) => [g.width, ascent - g.top, ...g.rows];
  return {
    name,
    lineHeight: ascent + descent,
    baseline: ascent,
    spacing: SPACING,
    sources: [...from].map(([source, count]) => ({ font: source, glyphs: count })),
    missing: entry(missing),
    glyphs: Object.fromEntries([...glyphs].map(([cp, g]) => [cp, entry(g)])),
  };
}

function main() {
  const unifontSource = unifont();
  const sizes = {
    small: { sources: [galmuri('Galmuri7.bdf'), galmuri('Galmuri9.bdf'), unifontSource], box: { ascent: 11, descent: 2 } },
    regular: { sources: [galmuri('Galmuri11.bdf'), unifontSource], box: { ascent: 14, descent: 3 } },
  };
  fs.mkdirSync(DATA, { recursive: true });
  for (const [name, { sources, box }] of Object.entries(sizes)) {
    const font = buildSize(name, sources, box);
    fs.writeFileSync(path.join(DATA, `${name}.json`), `${JSON.stringify(font)}\n`);
    const counts = font.sources.map((s) => `${s.glyphs} from ${s.font}`).join(', ');
    console.log(`fonts: ${name}: line ${font.lineHeight} px, ${Object.keys(font.glyphs).length} glyphs (${counts})`);
  }
  fs.copyFileSync(path.join(packageDir('galmuri'), 'dist', 'LICENSE.txt'), path.join(DATA, 'LICENSE-Galmuri.txt'));
  const ofl = fs.readFileSync(path.join(packageDir('@fontsource/unifontex'), 'LICENSE'), 'utf8');
  fs.writeFileSync(path.join(DATA, 'LICENSE-UnifontEX.txt'), `UnifontEX: ${unifontCopyright()}\n\n${ofl}`);
}

if (require.main === module) main();

module.exports = { buildSize, missingBox };
