/**
 * A zone's UTC offsets from its file in the system's time zone database (TZif, RFC 8536): the
 * table of transitions, then the POSIX TZ rule in the file's footer for the instants after the
 * last one. It lets an app's worker tell its zone's offset without Intl, whose first
 * DateTimeFormat brings ICU's data into the process (about 7 MB while an app runs:
 * docs/performance.md, section 4).
 */
import { type PosixZone, parsePosixZone, posixOffsetAt } from './posix-tz';

export interface ZoneTable {
  /** Transition instants, in seconds since the epoch, ascending. */
  readonly at: Float64Array;
  /** The UTC offset (seconds) in force from each transition on. */
  readonly offset: Int32Array;
  /** The offset before the first transition (the file's first time type). */
  readonly initial: number;
  /** The footer's rule for instants from the last transition on; absent: the last offset holds. */
  readonly rule?: PosixZone;
}

export class TzifError extends Error {}

const HEADER_BYTES = 44;

/** Reads a TZif file (version 1 to 4). Throws TzifError for anything else, and for files that count leap seconds (`right/`), which JavaScript dates do not. */
export function parseTzif(bytes: Uint8Array): ZoneTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v1 = header(view, 0);
  if (v1.version === 0) return table(view, HEADER_BYTES, v1, 4, undefined);
  // Version 2 and later repeat the data with 64-bit times after the 32-bit block, then a footer.
  const second = HEADER_BYTES + blockBytes(v1, 4);
  const v2 = header(view, second);
  const footerAt = second + HEADER_BYTES + blockBytes(v2, 8);
  return table(view, second + HEADER_BYTES, v2, 8, footer(bytes, footerAt));
}

interface Counts {
  version: number;
  isut: number;
  isstd: number;
  leap: number;
  time: number;
  type: number;
  char: number;
}

function header(view: DataView, at: number): Counts {
  if (view.byteLength < at + HEADER_BYTES) throw new TzifError('not a TZif file: too short');
  if (view.getUint32(at) !== 0x545a6966) throw new TzifError('not a TZif file: no "TZif" magic');
  const v = view.getUint8(at + 4);
  const version = v === 0 ? 0 : v - 0x30;
  if (version < 0 || version > 4 || (v !== 0 && version < 2)) throw new TzifError(`unknown TZif version byte ${v}`);
  const count = (i: number): number => view.getUint32(at + 20 + 4 * i);
  const counts = { version, isut: count(0), isstd: count(1), leap: count(2), time: count(3), type: count(4), char: count(5) };
  if (counts.type === 0) throw new TzifError('TZif file without local time types');
  if (counts.leap !== 0) throw new TzifError('TZif file with leap seconds');
  return counts;
}

function blockBytes(c: Counts, timeBytes: number): number {
  return c.time * timeBytes + c.time + c.type * 6 + c.char + c.leap * (timeBytes + 4) + c.isstd + c.isut;
}

function table(view: DataView, at: number, c: Counts, timeBytes: 4 | 8, rule: PosixZone | undefined): ZoneTable {
  if (view.byteLength < at + blockBytes(c, timeBytes)) throw new TzifError('TZif file cut short');
  const typesAt = at + c.time * timeBytes;
  const recordsAt = typesAt + c.time;
  const typeOffset = (t: number): number => {
    if (t >= c.type) throw new TzifError(`transition to local time type ${t} of ${c.type}`);
    return view.getInt32(recordsAt + 6 * t);
  };
  const instants = new Float64Array(c.time);
  const offsets = new Int32Array(c.time);
  for (let i = 0; i < c.time; i++) {
    instants[i] = timeBytes === 4 ? view.getInt32(at + 4 * i) : Number(view.getBigInt64(at + 8 * i));
    if (i > 0 && instants[i] <= instants[i - 1]) throw new TzifError('TZif transitions out of order');
    offsets[i] = typeOffset(view.getUint8(typesAt + i));
  }
  return { at: instants, offset: offsets, initial: typeOffset(0), rule };
}

function footer(bytes: Uint8Array, at: number): PosixZone | undefined {
  if (bytes[at] !== 0x0a) throw new TzifError('TZif footer missing');
  const end = bytes.indexOf(0x0a, at + 1);
  if (end < 0) throw new TzifError('TZif footer not terminated');
  const text = new TextDecoder('ascii').decode(bytes.subarray(at + 1, end));
  if (text === '') return undefined;
  try {
    return parsePosixZone(text);
  } catch (e) {
    throw new TzifError(`TZif footer "${text}": ${(e as Error).message}`);
  }
}

/** The UTC offset in seconds at an instant (seconds since the epoch). */
export function offsetAt(zone: ZoneTable, seconds: number): number {
  const { at, offset } = zone;
  if (at.length === 0 || seconds < at[0]) return at.length === 0 && zone.rule ? posixOffsetAt(zone.rule, seconds) : zone.initial;
  if (seconds >= at[at.length - 1] && zone.rule) return posixOffsetAt(zone.rule, seconds);
  // The last transition at or before the instant.
  let lo = 0;
  let hi = at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (at[mid] <= seconds) lo = mid;
    else hi = mid - 1;
  }
  return offset[lo];
}
