/**
 * The length-prefix fix (bridge/src/mqtt/length-prefix-fix.ts): mqtt-packet's writer keeps the
 * length prefix of every packet size under 16384 it writes; unpatched, each is a slice of Node's
 * shared Buffer pool and keeps a whole pool block alive. Counted here on the real writer: the
 * ArrayBuffers behind the prefixes it keeps, after 2000 packet sizes with other code's Buffers
 * taken from the pool in between (as in a running bridge, where frames, sockets and parsers take
 * them all the time).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fix from '../../src/mqtt/length-prefix-fix';
import { REPO_ROOT, startBridge } from '../helpers/bridge-process';

jest.setTimeout(60_000);

type FixModule = typeof fix;
type WriteToStream = (packet: object, stream: { write(chunk: Buffer): boolean }) => unknown;

const SIZES = 2000;
const TOPIC = 'megabit/megabit/out/frame';

/** The chunks one packet is written as. */
function chunksOf(writeToStream: WriteToStream, packet: object): Buffer[] {
  const chunks: Buffer[] = [];
  writeToStream(packet, { write: (chunk) => chunks.push(chunk) > 0 });
  return chunks;
}

/** A QoS 0 publish whose remaining length is `2 + TOPIC.length + payloadBytes`. */
const publish = (payloadBytes: number): object => ({ cmd: 'publish', topic: TOPIC, payload: Buffer.alloc(payloadBytes, 1), qos: 0, retain: false, dup: false });

function decodeVarInt(bytes: Buffer): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) value = value * 128 + (bytes[i] & 0x7f);
  return value;
}

/**
 * Writes SIZES publishes of distinct sizes, with two 4000-byte Buffers taken from the pool after
 * each (and dropped), and returns the prefixes the writer keeps (the fixed header's second chunk,
 * the same object when that size is written again) and the bytes of the ArrayBuffers behind them.
 */
function retainedByPrefixes(writeToStream: WriteToStream): { prefixes: Buffer[]; blocks: number; bytes: number } {
  const prefixes: Buffer[] = [];
  for (let i = 0; i < SIZES; i++) {
    const payloadBytes = 100 + i * 5;
    const prefix = chunksOf(writeToStream, publish(payloadBytes))[1];
    expect(decodeVarInt(prefix)).toBe(2 + TOPIC.length + payloadBytes);
    prefixes.push(prefix);
    // Other code's small Buffers: each takes half of a pool block, so the blocks turn over.
    Buffer.allocUnsafe(4000);
    Buffer.allocUnsafe(4000);
  }
  // Kept, not made again: the same object comes back for a size written before.
  expect(chunksOf(writeToStream, publish(100 + 7 * 5))[1]).toBe(prefixes[7]);
  const blocks = new Set(prefixes.map((p) => p.buffer));
  return { prefixes, blocks: blocks.size, bytes: [...blocks].reduce((sum, b) => sum + b.byteLength, 0) };
}

/** A fresh module registry: a writer no other test has loaded, patched or not. */
function isolated<T>(body: (load: NodeJS.Require) => T): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    result = body(require);
  });
  return result as T;
}

const writerOf = (load: NodeJS.Require): WriteToStream => load('mqtt-packet/writeToStream') as WriteToStream;

describe('length prefixes off the Buffer pool', () => {
  it('keeps what the writer caches for 2000 packet sizes in one 32 KiB table', () => {
    const { inTable, blocks, bytes } = isolated((load) => {
      const { isTableView, keepLengthPrefixesOffThePool, lengthPrefixProblems } = load('../../src/mqtt/length-prefix-fix') as FixModule;
      const applied = keepLengthPrefixesOffThePool(undefined, load);
      expect(applied.problems).toEqual([]);
      expect(lengthPrefixProblems(applied, load)).toEqual([]);
      const { prefixes, ...retained } = retainedByPrefixes(writerOf(load));
      return { inTable: prefixes.every(isTableView), ...retained };
    });
    expect(inTable).toBe(true);
    expect(blocks).toBe(1);
    expect(bytes).toBe(32 * 1024);
  });

  it('without it, the same writes keep a pool block alive for almost every size (the upstream bug it fixes)', () => {
    const { blocks, bytes } = isolated((load) => retainedByPrefixes(writerOf(load)));
    // Two 4000-byte Buffers fill a block, so nearly every size's prefix lands in a block of its own.
    expect(blocks).toBeGreaterThan(SIZES * 0.9);
    expect(bytes).toBeGreaterThan(SIZES * 0.9 * Buffer.poolSize);
  });

  it('writes the same bytes as mqtt-packet does by itself, across every prefix length', () => {
    const payloads = [0, 1, 90, 100, 101, 16_000, 16_350, 16_351, 16_352, 20_000, 2_097_100, 2_097_200];
    const packets = (load: NodeJS.Require): string[] => {
      const generate = load('mqtt-packet').generate as (packet: object) => Buffer;
      return payloads.map((n) => generate(publish(n)).toString('base64'));
    };
    const own = isolated(packets);
    const fixed = isolated((load) => {
      const { keepLengthPrefixesOffThePool } = load('../../src/mqtt/length-prefix-fix') as FixModule;
      expect(keepLengthPrefixesOffThePool(undefined, load).ok).toBe(true);
      return packets(load);
    });
    expect(fixed).toEqual(own);
    for (const n of [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455]) expect(decodeVarInt(fix.lengthPrefix(n))).toBe(n);
    expect(fix.lengthPrefix(268_435_456).length).toBe(0);
  });

  it('patches the one mqtt-packet that mqtt.js and aedes share, at the release the bridge pins', () => {
    const applied = isolated((load) => (load('../../src/mqtt/length-prefix-fix') as FixModule).keepLengthPrefixesOffThePool(undefined, load));
    expect(applied.problems).toEqual([]);
    expect(applied.patched).toEqual([join(REPO_ROOT, 'node_modules', 'mqtt-packet')]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'bridge', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['mqtt-packet']).toBe(fix.FIXED_MQTT_PACKET);
  });
});

describe('the fix refuses a shape it was not written for', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-prefix-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A package "user" that loads a stand-in mqtt-packet with these files. */
  function fakeCopy(files: { version: string; numbers: string; writer?: string }): NodeJS.Require {
    const packet = join(dir, 'node_modules', 'mqtt-packet');
    const user = join(dir, 'node_modules', 'user');
    mkdirSync(packet, { recursive: true });
    mkdirSync(user, { recursive: true });
    writeFileSync(join(packet, 'package.json'), JSON.stringify({ name: 'mqtt-packet', version: files.version }));
    writeFileSync(join(packet, 'numbers.js'), files.numbers);
    writeFileSync(join(packet, 'writeToStream.js'), files.writer ?? 'module.exports = () => true\n');
    writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'user', main: 'index.js' }));
    writeFileSync(join(user, 'index.js'), "require('mqtt-packet/writeToStream')\n");
    return createRequire(join(dir, 'entry.js'));
  }
  // A stand-in for mqtt-packet's encoder, written for this test: the MQTT variable byte integer.
  const ownEncoder = `exports.genBufVariableByteInt = (n) => {
  const out = []
  do { let b = n % 128; n = Math.floor(n / 128); if (n > 0) b |= 128; out.push(b) } while (n > 0 && out.length < 4)
  return n > 0 ? Buffer.alloc(0) : Buffer.from(out)
}
`;

  it('another mqtt-packet release', () => {
    const load = fakeCopy({ version: '9.1.0', numbers: ownEncoder });
    const applied = fix.keepLengthPrefixesOffThePool(['user'], load);
    expect(applied.ok).toBe(false);
    expect(applied.problems).toEqual([expect.stringContaining('version 9.1.0, the length-prefix fix was written for 9.0.2')]);
  });

  it('a numbers module without the encoder', () => {
    const load = fakeCopy({ version: fix.FIXED_MQTT_PACKET, numbers: 'exports.cache = {}\n' });
    expect(fix.keepLengthPrefixesOffThePool(['user'], load).problems).toEqual([expect.stringContaining('numbers.js has no genBufVariableByteInt any more')]);
  });

  it('a writer that makes its prefixes some other way', () => {
    const writer = 'module.exports = (packet, stream) => stream.write(Buffer.from([0x40])) && stream.write(Buffer.from([2]))\n';
    const load = fakeCopy({ version: fix.FIXED_MQTT_PACKET, numbers: ownEncoder, writer });
    const applied = fix.keepLengthPrefixesOffThePool(['user'], load);
    expect(applied.problems).toEqual([]);
    expect(fix.lengthPrefixProblems(applied, load)).toEqual([
      expect.stringContaining('its writer does not take length prefixes from genBufVariableByteInt any more'),
    ]);
  });

  it('a writer loaded before the fix', () => {
    const load = fakeCopy({ version: fix.FIXED_MQTT_PACKET, numbers: ownEncoder });
    load('user');
    expect(fix.keepLengthPrefixesOffThePool(['user'], load).problems).toEqual([expect.stringContaining('its writer was loaded before the length-prefix fix')]);
  });

  it('the bridge says so at start when the writer was loaded first', async () => {
    // NODE_OPTIONS --require loads mqtt-packet's writer before the bridge's first import.
    const writer = join(REPO_ROOT, 'node_modules', 'mqtt-packet', 'writeToStream.js');
    const bridge = await startBridge({ env: { NODE_OPTIONS: `--require ${writer}` } });
    try {
      expect(bridge.output).toMatch(
        /WARN +\[megabit\] MQTT packet sizes may pin memory for good: mqtt-packet in .*its writer was loaded before the length-prefix fix/,
      );
    } finally {
      await bridge.dispose();
    }
  });

  it('and nothing when it was not', async () => {
    const bridge = await startBridge();
    try {
      expect(bridge.output).toContain('simulator: http');
      expect(bridge.output).not.toContain('may pin memory');
    } finally {
      await bridge.dispose();
    }
  });
});
