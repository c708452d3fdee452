/**
 * Thousands of malformed payloads over every P/cmd topic of a real bridge: random bytes that are
 * not UTF-8, wrong JSON types, megabyte strings, deep nesting, path-traversal ids in the topic and
 * in the payload, installs over the size limit and just under it with a module that is garbage.
 * Each one is answered once, on the response topic of its own command, with a validation error
 * (never `internal`, never `busy`); the bridge stays up and neither its state nor its data dir
 * changes.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CMD, MAX_COMMAND_BYTES, MAX_INSTALL_BYTES, type DeviceState, type ErrorCode } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';

jest.setTimeout(240_000);

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a malformed command may be answered with: the request's fault, never the bridge's. */
const VALIDATION: readonly ErrorCode[] = ['bad_json', 'invalid_payload', 'too_large', 'unknown_command', 'unknown_app', 'install_failed'];
/** At most this many commands in flight: far below the router's queue bound, so `busy` is a failure. */
const WINDOW = 32;
const MEGABYTE_STRING = 'x'.repeat(1024 * 1024);

interface Case {
  label: string;
  path: string;
  /** Large payloads are made when they are sent, so they are not all in memory at once. */
  payload: Buffer | (() => Buffer);
  /** The codes this case may get; VALIDATION when absent. */
  codes?: readonly ErrorCode[];
}

const WRONG_VALUES: unknown[] = [null, true, 1.5, -1, 1e308, '', 'x'.repeat(5000), [], [1, 2], {}, { a: { b: { c: 1 } } }, '../../etc/passwd', '\u0000'];
const TRAVERSAL_IDS = [
  '..',
  '../clock',
  '../../etc/passwd',
  '%2e%2e',
  '..%2fclock',
  'clock/../clock',
  '.staging-000000000000',
  '..\\..\\x',
  '\uff0e\uff0e',
  '',
];

function deep(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** Random bytes from the seeded PRNG, with a 0xff somewhere: never valid UTF-8. */
function binary(random: () => number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(random() * 256);
  bytes[Math.floor(random() * size)] = 0xff;
  return bytes;
}

/** Malformed payloads for one command path: never valid for it. */
function badPayloads(path: string, random: () => number, count: number): Case[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const out: Case[] = [];
  const fields: Record<string, string[]> = {
    [CMD.notify]: ['text', 'color', 'priority', 'duration_ms', 'repeat', 'hold', 'id'],
    [CMD.display]: ['state', 'brightness'],
    [CMD.appsOrder]: ['order', 'disabled'],
    [CMD.button]: ['button', 'action'],
    [CMD.appsInstall]: ['manifest', 'wasm'],
    [CMD.appsPreview]: ['manifest', 'wasm'],
    [CMD.appsRemove]: ['id'],
    [CMD.app]: ['id'],
  };
  const keys = fields[path] ?? ['x'];
  for (let i = 0; i < count; i++) {
    let kind = Math.floor(random() * 7);
    // For notify, anything not starting with "{" is valid plain text: keep to JSON-shaped garbage.
    if (path === CMD.notify && kind === 4) kind = 0;
    let body: string | Buffer;
    switch (kind) {
      case 0: // broken JSON
        body = `{${binary(random, 1 + Math.floor(random() * 40)).toString('base64')}`;
        break;
      case 1: // invalid UTF-8 starting like JSON
        body = Buffer.concat([Buffer.from('{"'), binary(random, 8)]);
        break;
      case 2: // wrong types in known fields
        body = JSON.stringify({ [pick(keys)]: pick(WRONG_VALUES), [pick(keys)]: pick(WRONG_VALUES), unknown_field: 1 });
        break;
      case 3: // deep nesting
        body = `{"${pick(keys)}":${deep(200 + Math.floor(random() * 800))}}`;
        break;
      case 4: // JSON that is not an object
        body = JSON.stringify(pick([[1], 'str', 42, null, [{ text: 'x' }]]));
        break;
      case 5: // raw bytes, not UTF-8, mostly small, sometimes around the command size limit
        body = binary(random, random() < 0.1 ? MAX_COMMAND_BYTES - 2048 + Math.floor(random() * 4096) : 1 + Math.floor(random() * 2048));
        break;
      default: // unknown keys only, or path tricks
        body = JSON.stringify({ id: pick(TRAVERSAL_IDS), order: [pick(TRAVERSAL_IDS)], [`k${i}`]: i, text: 5 });
    }
    out.push({ label: `${path} #${i} kind ${kind}`, path, payload: Buffer.isBuffer(body) ? body : Buffer.from(body) });
  }
  return out;
}

/** An install/preview request of exactly `size` bytes whose module is `fill` repeated after `head`. */
function installOfSize(size: number, head: Buffer, fill: number, manifest: Record<string, unknown>): Buffer {
  const prefix = `{"manifest":${JSON.stringify(manifest)},"wasm":"`;
  const suffix = '"}';
  const base64Chars = Math.floor((size - prefix.length - suffix.length) / 4) * 4;
  const module = Buffer.alloc((base64Chars / 4) * 3, fill);
  head.copy(module);
  const body = Buffer.from(prefix + module.toString('base64') + suffix);
  // Pad with JSON whitespace to the exact size.
  return Buffer.concat([body.subarray(0, body.length - 1), Buffer.alloc(size - body.length, 0x20), Buffer.from('}')]);
}

const WASM_HEADER = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const manifestOf = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  name: 'Fuzzed',
  version: '1.0.0',
  bin: `${id}.wasm`,
  refresh_period_ms: 1000,
  ...extra,
});

/** Oversize, just-under-the-limit, megabyte and deeply nested payloads, and traversal ids. */
function targetedCases(clockWasm: Buffer): Case[] {
  const cases: Case[] = [];
  const add = (label: string, path: string, payload: string | Buffer | (() => Buffer), codes?: readonly ErrorCode[]): void =>
    void cases.push({ label, path, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, codes });
  // The store refuses a module without a Wasm header as a bad payload; a preview finds out when it loads it.
  const NOT_A_MODULE: readonly ErrorCode[] = ['invalid_payload', 'install_failed'];
  const garbageModule = Buffer.concat([WASM_HEADER, Buffer.alloc(4088, 0x5a)]).toString('base64');
  const valid = clockWasm.toString('base64');

  for (const path of [CMD.appsInstall, CMD.appsPreview]) {
    // Over the limit, by one byte and by a lot, whatever the content.
    add(`${path}: limit + 1 byte`, path, () => installOfSize(MAX_INSTALL_BYTES + 1, WASM_HEADER, 0, manifestOf('fuzzed')), ['too_large']);
    // Larger packets than broker.max_packet_bytes (12 MiB) never reach the bridge: the broker closes the connection.
    add(`${path}: just under 12 MiB`, path, () => installOfSize(12 * 1024 * 1024 - 4096, clockWasm, 0, manifestOf('fuzzed')), ['too_large']);
    // Just under it: valid JSON and a valid manifest, the module is garbage with or without a Wasm header.
    add(`${path}: limit, garbage after a Wasm header`, path, () => installOfSize(MAX_INSTALL_BYTES, WASM_HEADER, 0xa5, manifestOf('fuzzed')), [
      'install_failed',
    ]);
    add(`${path}: limit, garbage`, path, () => installOfSize(MAX_INSTALL_BYTES, Buffer.alloc(0), 0xa5, manifestOf('fuzzed')), NOT_A_MODULE);
    add(
      `${path}: limit, the clock's header then garbage, as an upgrade of clock`,
      path,
      () => installOfSize(MAX_INSTALL_BYTES - 7, clockWasm.subarray(0, 64), 0xa5, manifestOf('clock', { bin: 'clock.wasm', version: '9.9.9' })),
      ['install_failed'],
    );
    // Megabyte strings in each field.
    add(`${path}: 1 MB name`, path, JSON.stringify({ manifest: manifestOf('fuzzed', { name: MEGABYTE_STRING }), wasm: valid }), ['invalid_payload']);
    add(`${path}: 1 MB id`, path, JSON.stringify({ manifest: manifestOf(MEGABYTE_STRING), wasm: valid }), ['invalid_payload']);
    add(`${path}: 1 MB of base64 zeros`, path, JSON.stringify({ manifest: manifestOf('fuzzed'), wasm: 'A'.repeat(1024 * 1024) }), NOT_A_MODULE);
    add(
      `${path}: 1 MB description, garbage module`,
      path,
      JSON.stringify({ manifest: manifestOf('fuzzed', { description: MEGABYTE_STRING }), wasm: garbageModule }),
      ['install_failed'],
    );
    add(`${path}: 1 MB unknown key`, path, JSON.stringify({ manifest: manifestOf('fuzzed'), wasm: valid, [MEGABYTE_STRING]: 1 }), ['invalid_payload']);
    // Nested about 4 million levels deep, just under the install limit.
    const levels = (MAX_INSTALL_BYTES - 64) / 2;
    add(`${path}: ${levels} levels deep`, path, () => Buffer.from(`{"manifest":${deep(levels)}}`), ['invalid_payload']);
    add(`${path}: 8 MiB of raw bytes`, path, () => binary(prng(7), MAX_INSTALL_BYTES - 1), ['invalid_payload']);
    // A valid module under a traversal id or file name.
    for (const id of TRAVERSAL_IDS)
      add(`${path}: manifest id ${JSON.stringify(id)}`, path, JSON.stringify({ manifest: manifestOf('x', { id }), wasm: valid }), ['invalid_payload']);
    for (const bin of ['../clock.wasm', '../../apps/clock/clock.wasm', '/etc/x.wasm', 'a/b.wasm', '..\\x.wasm']) {
      add(`${path}: bin ${bin}`, path, JSON.stringify({ manifest: manifestOf('fuzzed', { bin }), wasm: valid }), ['invalid_payload']);
    }
  }

  for (const path of PATHS.filter((p) => p !== CMD.appsInstall && p !== CMD.appsPreview)) {
    // An unknown command is refused as such before its size is looked at.
    const tooLarge: readonly ErrorCode[] = path === 'unknown/command' ? ['unknown_command'] : ['too_large'];
    add(`${path}: 1 MB string field`, path, JSON.stringify({ text: MEGABYTE_STRING, id: MEGABYTE_STRING }), tooLarge);
    add(`${path}: 1 MB plain text`, path, MEGABYTE_STRING, tooLarge);
    add(`${path}: 1 MB raw bytes`, path, () => binary(prng(path.length), 1024 * 1024), tooLarge);
    add(`${path}: 9 MiB`, path, () => installOfSize(9 * 1024 * 1024, WASM_HEADER, 0, manifestOf('fuzzed')), tooLarge);
    // As deep as fits under the command limit; notify takes anything else as plain text.
    const levels = (MAX_COMMAND_BYTES - 64) / 6;
    add(`${path}: ${levels} nested objects`, path, `{"text":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`);
    add(`${path}: raw bytes over the limit`, path, binary(prng(path.length + 1), MAX_COMMAND_BYTES + 1), tooLarge);
  }

  // Traversal ids in the payload of commands that take an app id.
  for (const id of TRAVERSAL_IDS) {
    add(`app ${JSON.stringify(id)}`, CMD.app, JSON.stringify({ id }), ['invalid_payload', 'unknown_app']);
    add(`remove ${JSON.stringify(id)}`, CMD.appsRemove, JSON.stringify({ id }), ['invalid_payload', 'unknown_app']);
    add(`order ${JSON.stringify(id)}`, CMD.appsOrder, JSON.stringify({ order: ['clock', id] }), ['invalid_payload', 'unknown_app']);
    add(`disabled ${JSON.stringify(id)}`, CMD.appsOrder, JSON.stringify({ order: ['clock'], disabled: [id] }), ['invalid_payload', 'unknown_app']);
  }

  // Traversal in the topic, with payloads that would be valid for the command it imitates: the
  // id or the path is the only thing wrong.
  const segments = [
    '..',
    '.',
    '...',
    '%2e%2e',
    '%2E%2E%2F%2E%2E%2Fdevice',
    '..%2F..%2Fdevice',
    '..%2fclock',
    '.%2e',
    '%252e%252e',
    '..\\..\\device',
    '\uff0e\uff0e',
    '.staging-000000000000',
    '.aside-clock-000000000000',
    ' ',
    '~',
    'CLOCK',
    'clock%00',
  ];
  for (const segment of segments) {
    add(`config of ${JSON.stringify(segment)}`, `apps/${segment}/config`, '{"hour24":false}', ['unknown_app']);
    add(`data of ${JSON.stringify(segment)}`, `apps/${segment}/data`, 'hello', ['unknown_app']);
  }
  for (const path of [
    'apps/../../config',
    'apps/clock/../config',
    'apps/clock/../../display',
    'apps/clock/../clock/config',
    '../cmd/display',
    './display',
    'display/.',
    'display/..',
    'apps//config',
    'apps/clock/config/..',
    'apps/%2e%2e/%2e%2e/display',
    'apps/clock%2f..%2f..%2fdisplay',
    'apps/clock/..%2fconfig',
    'apps/../apps/clock/config',
    'app/../display',
    'notify/..',
    'apps/install/../../display',
  ]) {
    const payload = path.includes('display') ? '{"brightness":3}' : '{"hour24":false}';
    add(`topic ${path}`, path, payload, ['unknown_command', 'unknown_app']);
  }
  return cases;
}

const PATHS = [
  CMD.notify,
  CMD.notifyDismiss,
  CMD.app,
  CMD.appNext,
  CMD.appPrevious,
  CMD.display,
  CMD.appsInstall,
  CMD.appsRemove,
  CMD.appsOrder,
  CMD.appsPreview,
  CMD.appsPreviewStop,
  CMD.button,
  CMD.screen,
  CMD.rotation,
  'apps/clock/config',
  'apps/ghost/data',
  'apps/../config',
  'unknown/command',
];

/** Every file under `dir` with a hash of its content. */
function snapshot(dir: string, root = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(out, snapshot(path, root));
    else out[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

describe('malformed commands', () => {
  let bridge: RunningBridge;
  let client: TestClient;

  beforeAll(async () => {
    bridge = await startBridge({ apps: ['clock'], settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe(['megabit/megabit/#']);
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
  });

  it('answers every one on its own response topic with a validation error, and changes nothing', async () => {
    const P = (path: string): string => `megabit/megabit/${path}`;
    const stateOf = (m: { payload: Buffer }): string => {
      const { uptime_s: _u, fps: _f, ...rest } = JSON.parse(m.payload.toString()) as DeviceState;
      return JSON.stringify(rest);
    };
    const before = stateOf(await client.waitFor(P('state')));
    const appsBefore = (await client.waitFor(P('state/apps'))).payload.toString();
    const filesBefore = snapshot(bridge.dataDir);

    const random = prng(20261125);
    const cases = [
      ...PATHS.flatMap((path) => badPayloads(path, random, 200)),
      ...targetedCases(readFileSync(join(bridge.dataDir, 'apps', 'clock', 'clock.wasm'))),
    ];
    // Interleave the heavy targeted cases with the rest, the same way on every run.
    const order = cases
      .map((c) => ({ c, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ c }) => c);

    const replies: { topic: string; payload: Buffer }[] = [];
    let wake: (() => void) | undefined;
    client.client.on('message', (topic, payload) => {
      if (!topic.startsWith(P('response/'))) return;
      replies.push({ topic, payload });
      wake?.();
    });
    const nextReply = (): Promise<void> =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });

    const started = Date.now();
    let sent = 0;
    for (const c of order) {
      while (sent - replies.length >= WINDOW) {
        const had = replies.length;
        await nextReply();
        if (replies.length === had) throw new Error(`no reply for 30 s with ${sent - had} commands in flight, after ${c.label}`);
      }
      await client.publish(P(`cmd/${c.path}`), typeof c.payload === 'function' ? c.payload() : c.payload, { qos: 0 });
      sent++;
    }
    while (replies.length < sent) {
      const had = replies.length;
      await nextReply();
      if (replies.length === had) break;
    }
    // Exactly one reply each: give a duplicate time to show up.
    await new Promise((r) => setTimeout(r, 500));
    const elapsed = Date.now() - started;
    expect(replies.length).toBe(sent);

    // Commands run in arrival order within their lane (docs/mqtt-api.md), and every response topic
    // belongs to one lane: on each topic, the replies come back in the order of their commands.
    const byTopic = new Map<string, Buffer[]>();
    for (const r of replies) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.payload]);
    const wrong: string[] = [];
    for (const c of order) {
      const topic = P(`response/${c.path}`);
      const reply = byTopic.get(topic)?.shift();
      if (!reply) {
        wrong.push(`${c.label}: no reply on ${topic}`);
        continue;
      }
      const body = JSON.parse(reply.toString()) as { ok: boolean; error?: { code: ErrorCode; message: string } };
      const codes = c.codes ?? VALIDATION;
      if (body.ok || !body.error || !codes.includes(body.error.code)) wrong.push(`${c.label}: ${reply.toString().slice(0, 200)}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    // No reply left over: none came on a topic whose command did not ask for it.
    expect([...byTopic].filter(([, left]) => left.length > 0).map(([topic]) => topic)).toEqual([]);
    expect(bridge.running).toBe(true);

    // Still responsive, and nothing changed, in the state or on disk.
    expect(await client.request('notify/dismiss', {})).toMatchObject({ ok: true });
    const fresh = await TestClient.connect(bridge.mqttUrl);
    try {
      await fresh.subscribe([P('state'), P('state/apps')]);
      const after = stateOf(await fresh.waitFor(P('state')));
      // The bridge's own account, if it differs: which app failed or switched, and why.
      if (after !== before)
        throw new Error(
          `state changed: ${after} (was ${before}); bridge log:\n${bridge.output
            .split('\n')
            .filter((l) => /WARN|ERROR|app /.test(l))
            .slice(-30)
            .join('\n')}`,
        );
      expect(JSON.parse((await fresh.waitFor(P('state/apps'))).payload.toString())).toEqual(JSON.parse(appsBefore));
    } finally {
      await fresh.close();
    }
    expect(snapshot(bridge.dataDir)).toEqual(filesBefore);
    expect(sent).toBeGreaterThanOrEqual(3000);
    process.stdout.write(`command fuzz: ${sent} payloads (${cases.length - PATHS.length * 200} targeted) answered in ${(elapsed / 1000).toFixed(1)} s\n`);
  });
});
