/**
 * Thousands of malformed payloads over every P/cmd topic of a real bridge: each one is answered
 * with an error reply, the bridge never crashes, and its state does not change.
 */
import { randomBytes } from 'node:crypto';
import { CMD, type DeviceState } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';

jest.setTimeout(120_000);

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

const WRONG_VALUES: unknown[] = [null, true, 1.5, -1, 1e308, '', 'x'.repeat(5000), [], [1, 2], {}, { a: { b: { c: 1 } } }, '../../etc/passwd', '\u0000'];

function deep(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** Malformed payloads for one command path: never valid for it. */
function badPayloads(path: string, random: () => number, count: number): Buffer[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const out: Buffer[] = [];
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
  for (let i = 0; i < count; i++) {
    let kind = Math.floor(random() * 6);
    // For notify, anything not starting with "{" is valid plain text: keep to JSON-shaped garbage.
    if (path === CMD.notify && kind === 4) kind = 0;
    const keys = fields[path] ?? ['x'];
    let body: string | Buffer;
    switch (kind) {
      case 0: // broken JSON
        body = `{${randomBytes(Math.floor(random() * 40)).toString('base64')}`;
        break;
      case 1: // invalid UTF-8 starting like JSON
        body = Buffer.concat([Buffer.from('{"'), Buffer.from([0xff, 0xfe, 0xc3]), randomBytes(8)]);
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
      default: // unknown keys only, or path tricks
        body = JSON.stringify({ id: pick(['../x', '/etc', 'A B', '..', '']), order: ['../../etc'], [`k${i}`]: i, text: 5 });
    }
    out.push(Buffer.isBuffer(body) ? body : Buffer.from(body));
  }
  return out;
}

const PATHS = [
  CMD.notify, CMD.notifyDismiss, CMD.app, CMD.appNext, CMD.appPrevious, CMD.display, CMD.appsInstall,
  CMD.appsRemove, CMD.appsOrder, CMD.appsPreview, CMD.appsPreviewStop, CMD.button, CMD.screen, CMD.rotation,
  'apps/clock/config', 'apps/ghost/data', 'apps/../config', 'unknown/command',
];

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

  it('answers every one with an error and changes nothing', async () => {
    const stateOf = (m: { payload: Buffer }): string => {
      const { uptime_s: _u, fps: _f, ...rest } = JSON.parse(m.payload.toString()) as DeviceState;
      return JSON.stringify(rest);
    };
    const before = stateOf(await client.waitFor('megabit/megabit/state'));
    const appsBefore = (await client.waitFor('megabit/megabit/state/apps')).payload.toString();

    const random = prng(20261125);
    let sent = 0;
    const since = client.messages.length;
    for (const path of PATHS) {
      for (const payload of badPayloads(path, random, 200)) {
        await client.publish(`megabit/megabit/cmd/${path}`, payload, { qos: 0 });
        sent++;
      }
    }
    // Every command gets exactly one reply; wait until all have arrived.
    const deadline = Date.now() + 60_000;
    const replies = (): typeof client.messages => client.messages.slice(since).filter((m) => m.topic.startsWith('megabit/megabit/response/'));
    while (replies().length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const all = replies();
    expect(all.length).toBe(sent);
    const notErrors = all
      .map((m) => ({ topic: m.topic, reply: JSON.parse(m.payload.toString()) as { ok: boolean; error?: { code: string } } }))
      .filter(({ reply }) => reply.ok || !reply.error?.code);
    expect(notErrors).toEqual([]);
    expect(bridge.running).toBe(true);

    // Still responsive, and nothing changed.
    expect(await client.request('notify/dismiss', {})).toMatchObject({ ok: true });
    // A fresh subscriber sees the retained state as it is now.
    const fresh = await TestClient.connect(bridge.mqttUrl);
    try {
      await fresh.subscribe(['megabit/megabit/state', 'megabit/megabit/state/apps']);
      expect(stateOf(await fresh.waitFor('megabit/megabit/state'))).toBe(before);
      expect(JSON.parse((await fresh.waitFor('megabit/megabit/state/apps')).payload.toString())).toEqual(JSON.parse(appsBefore));
    } finally {
      await fresh.close();
    }
    expect(sent).toBeGreaterThanOrEqual(3000);
  });
});
