/**
 * Keeps mqtt-packet's cached length prefixes off Node's shared Buffer pool (issue 21).
 *
 * mqtt-packet 9.0.2, the packet writer of both mqtt.js and aedes, keeps the encoded "remaining
 * length" of every packet size under 16384 it has written, for the life of the process. It makes
 * each one with `Buffer.allocUnsafe`, a 1-2 byte slice of Node's shared pool block (8 KiB on Node
 * 20 and 22, 64 KiB on Node 24), and a kept slice keeps its whole block alive: every new packet
 * size the bridge sends (frames, PNGs and states vary in size) can pin one more block, up to 16384
 * of them (128 MiB; 1 GiB on Node 24). Upstream: mqttjs/mqtt-packet issue 163, unfixed in 9.0.2.
 *
 * Its writer (`writeToStream.js`) takes `genBufVariableByteInt` from its `numbers.js` once, when
 * it loads. So, before anything loads the writer, this puts our own encoder on that module's
 * exports: for the sizes the writer keeps, it returns views of one fixed table of this module,
 * so everything the writer's cache holds lives in that one 32 KiB buffer. That depends on
 * mqtt-packet's inner shape, so every copy mqtt.js and aedes load is checked (its version, the
 * function, the writer not loaded yet, then a probe packet through the writer) and whatever is
 * amiss is reported: the bridge logs it as a warning at start, and a test fails.
 *
 * Why not `Buffer.poolSize = 0` instead: that is process-wide, so every small Buffer of every
 * library (parsers, sockets, the serial codec) would get an ArrayBuffer of its own, to save a
 * cache of one library (docs/performance.md, section 10, has the measured cost).
 */
import { dirname, join } from 'node:path';

/** The mqtt-packet release this was written against and checked on (bridge/package.json pins it). */
export const FIXED_MQTT_PACKET = '9.0.2';
/** The packages that load mqtt-packet's writer in the bridge: the MQTT client and the embedded broker. */
export const WRITER_USERS: readonly string[] = ['mqtt', 'aedes'];

/** mqtt-packet's writer keeps the prefixes of the sizes below this (writeToStream.js). */
const KEPT_BELOW = 16384;
/** The largest remaining length MQTT can encode (4 bytes of 7 bits). */
const VAR_INT_MAX = 268_435_455;
/** Two bytes a size: every size the writer keeps fits in two bytes of 7 bits. */
const TABLE = Buffer.alloc(KEPT_BELOW * 2);

/**
 * The MQTT variable byte integer of `n` (MQTT 3.1.1 section 2.2.3, 5.0 section 1.5.5): 7 bits a
 * byte, low group first, the top bit set on every byte but the last. Out of range: no bytes, as
 * mqtt-packet's own function answers (its callers check the range first).
 */
export function lengthPrefix(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > VAR_INT_MAX) return Buffer.alloc(0);
  if (n < KEPT_BELOW) {
    // Written again at each call: the same bytes, so a view handed out earlier never changes.
    const at = n * 2;
    if (n < 128) {
      TABLE[at] = n;
      return TABLE.subarray(at, at + 1);
    }
    TABLE[at] = (n & 0x7f) | 0x80;
    TABLE[at + 1] = n >> 7;
    return TABLE.subarray(at, at + 2);
  }
  // Larger sizes are not kept by the writer: a pool slice here is let go with the packet.
  const bytes: number[] = [];
  let rest = n;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** Whether `buffer` is one of the views of the table (the test and the probe use it). */
export function isTableView(buffer: Uint8Array): boolean {
  return buffer.buffer === TABLE.buffer;
}

export interface LengthPrefixFix {
  /** Every copy of mqtt-packet the writer users load was patched and checked. */
  ok: boolean;
  /** The folders of the copies now writing prefixes from the table. */
  patched: string[];
  /** What is amiss, one sentence each; empty when ok. */
  problems: string[];
}

interface NumbersModule {
  genBufVariableByteInt?: unknown;
}
type WriteToStream = (packet: object, stream: { write(chunk: Buffer): boolean }) => unknown;

/** Sizes whose encodings must match mqtt-packet's own before its function is replaced. */
const CHECKED_SIZES = [0, 1, 127, 128, 300, 16383, 16384, 2_097_151, 2_097_152, VAR_INT_MAX, VAR_INT_MAX + 1];

/**
 * Patches every copy of mqtt-packet that `users` load, through `load` (a `require`: the
 * caller's, so the patched modules are the ones that process or test loads). Cheap: it loads
 * only mqtt-packet's numbers.js; `probeLengthPrefixes` then checks the writers. Safe to call
 * again: a copy already patched stays so.
 */
export function keepLengthPrefixesOffThePool(users: readonly string[] = WRITER_USERS, load: NodeJS.Require = require): LengthPrefixFix {
  const problems: string[] = [];
  const patched: string[] = [];
  const copies = new Set<string>();
  for (const user of users) {
    try {
      copies.add(dirname(load.resolve('mqtt-packet/package.json', { paths: [dirname(load.resolve(user))] })));
    } catch (e) {
      problems.push(`could not find the mqtt-packet that ${user} loads: ${(e as Error).message}`);
    }
  }
  for (const dir of copies) {
    const problem = patchCopy(dir, load);
    if (problem) problems.push(`mqtt-packet in ${dir}: ${problem}`);
    else patched.push(dir);
  }
  return { ok: problems.length === 0, patched, problems };
}

/** Patches one copy; returns what is amiss, or undefined. */
function patchCopy(dir: string, load: NodeJS.Require): string | undefined {
  const version = (load(join(dir, 'package.json')) as { version?: string }).version;
  if (version !== FIXED_MQTT_PACKET) {
    return `version ${version}, the length-prefix fix was written for ${FIXED_MQTT_PACKET}: check whether its writer still keeps pool slices, then update FIXED_MQTT_PACKET`;
  }
  const numbers = load(load.resolve(join(dir, 'numbers.js'))) as NumbersModule;
  if (numbers.genBufVariableByteInt === lengthPrefix) return undefined;
  if (load.cache[writerFile(dir, load)]) return 'its writer was loaded before the length-prefix fix: import the fix first (main.ts)';
  const original = numbers.genBufVariableByteInt;
  if (typeof original !== 'function') return 'numbers.js has no genBufVariableByteInt any more';
  const differs = CHECKED_SIZES.find((n) => !lengthPrefix(n).equals(original(n) as Buffer));
  if (differs !== undefined) return `its genBufVariableByteInt(${differs}) differs from ours`;
  numbers.genBufVariableByteInt = lengthPrefix;
  return undefined;
}

function writerFile(dir: string, load: NodeJS.Require): string {
  return load.resolve(join(dir, 'writeToStream.js'));
}

/**
 * What is amiss with the fix: the problems of patching, and any patched copy whose writer does
 * not take its prefixes from the table (a small packet written through it shows). The first
 * packet a writer writes builds its tables (some 10 ms), which a bridge's first connect would
 * pay anyway, so the bridge runs this once at start, not at import.
 */
export function lengthPrefixProblems(fix: LengthPrefixFix, load: NodeJS.Require = require): string[] {
  const problems = [...fix.problems];
  for (const dir of fix.patched) {
    const writeToStream = load(writerFile(dir, load)) as WriteToStream;
    const chunks: Buffer[] = [];
    writeToStream({ cmd: 'puback', messageId: 1 }, { write: (chunk) => chunks.push(chunk) > 0 });
    if (!chunks.some(isTableView)) problems.push(`mqtt-packet in ${dir}: its writer does not take length prefixes from genBufVariableByteInt any more`);
  }
  return problems;
}
