/**
 * The tables of a WOFF 1.0 font file: the header lists each sfnt table with its offset and
 * compressed length; a table whose compressed length is below its real one is zlib data.
 */
'use strict';
const zlib = require('node:zlib');

/** @returns {Map<string, Buffer>} table tag -> table bytes */
function woffTables(woff) {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 file');
  const count = woff.readUInt16BE(12);
  const tables = new Map();
  for (let i = 0; i < count; i++) {
    const entry = 44 + i * 20;
    const tag = woff.toString('latin1', entry, entry + 4);
    const offset = woff.readUInt32BE(entry + 4);
    const compressed = woff.readUInt32BE(entry + 8);
    const length = woff.readUInt32BE(entry + 12);
    const bytes = woff.subarray(offset, offset + compressed);
    tables.set(tag, compressed < length ? zlib.inflateSync(bytes) : bytes);
  }
  return tables;
}

module.exports = { woffTables };
