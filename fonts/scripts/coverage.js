/**
 * The characters Megabit's fonts carry: Latin-1, Latin Extended-A, Greek, Cyrillic, Hebrew
 * letters, punctuation, currency, arrows and a few symbols. Everything else draws as the
 * missing-glyph box; keeping the set small keeps the SDK's data (linked into apps) small.
 */
'use strict';

const RANGES = [
  [0x20, 0x7e], // ASCII
  [0xa0, 0xff], // Latin-1 Supplement
  [0x100, 0x17f], // Latin Extended-A
  [0x370, 0x3ff], // Greek
  [0x400, 0x45f], // Cyrillic (basic)
  [0x490, 0x491], // Ukrainian ghe with upturn
  [0x5be, 0x5be], // Hebrew maqaf
  [0x5d0, 0x5ea], // Hebrew letters
  [0x5f0, 0x5f4], // Hebrew ligatures and punctuation
  [0x2010, 0x2027], // dashes, quotes, bullet, ellipsis
  [0x2030, 0x203a], // per mille, primes, guillemets
  [0x20a0, 0x20bf], // currency
  [0x2103, 0x2103], // degree Celsius
  [0x2116, 0x2116], // numero
  [0x2122, 0x2122], // trade mark
  [0x2190, 0x21ff], // arrows
  [0x2212, 0x2212], // minus
  [0x221e, 0x221e], // infinity
  [0x2248, 0x2248], // almost equal
  [0x2260, 0x2265], // not equal, less/greater or equal
  [0x25a0, 0x25a1], // squares
  [0x25b2, 0x25bc], // triangles
  [0x25c6, 0x25cf], // diamond, circles
  [0x2600, 0x2603], // sun, cloud, umbrella, snowman
  [0x2605, 0x2606], // stars
  [0x2660, 0x2667], // card suits (hearts)
  [0x266a, 0x266b], // notes
  [0x2713, 0x2718], // check marks and crosses
];

function covered(cp) {
  return RANGES.some(([first, last]) => cp >= first && cp <= last);
}

function* coveredCodePoints() {
  for (const [first, last] of RANGES) for (let cp = first; cp <= last; cp++) yield cp;
}

module.exports = { RANGES, covered, coveredCodePoints };
