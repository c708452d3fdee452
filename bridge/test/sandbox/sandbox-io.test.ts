import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command, encode, manifest, useProbeSandbox } from '../helpers/sandbox/harness';

const { dir, startProbe } = useProbeSandbox();

describe('KV store', () => {
  it('set, get and delete', async () => {
    const t = await startProbe();
    expect(await command(t, 'get|city', 'set|city|Köln', 'get|city', 'set|city|Bonn', 'get|city')).toEqual([
      'get <none>',
      'set 0',
      'get Köln',
      'set 0',
      'get Bonn',
    ]);
    expect(await command(t, 'del|city', 'get|city', 'del|never-set')).toEqual(['del 0', 'get <none>', 'del 0']);
  });

  it('values survive a restart', async () => {
    const kvFile = join(dir, 'persist.json');
    const first = await startProbe({ kvFile });
    expect(await command(first, 'set|count|41', 'set|gone|x', 'del|gone')).toEqual(['set 0', 'set 0', 'del 0']);
    await first.app.close();
    expect(JSON.parse(readFileSync(kvFile, 'utf8'))).toEqual({ format: 'megabit-kv/1', entries: { count: Buffer.from('41').toString('base64') } });
    const second = await startProbe({ kvFile });
    expect(await command(second, 'get|count', 'get|gone')).toEqual(['get 41', 'get <none>']);
  });

  it('a write over quota returns -1 and changes nothing, in memory or on disk', async () => {
    const kvFile = join(dir, 'quota.json');
    const t = await startProbe({ kvFile, kvQuotaBytes: 100 });
    // key "k" (1 byte) + 90 bytes = 91 of 100
    expect(await command(t, 'setn|k|90', 'setn|other|10', 'setn|k|99', 'setn|k|100', 'get|other')).toEqual([
      'setn 0',
      'setn -1',
      'setn 0',
      'setn -1',
      'get <none>',
    ]);
    await t.app.close();
    const saved = JSON.parse(readFileSync(kvFile, 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(saved.entries)).toEqual(['k']);
    expect(Buffer.from(saved.entries.k, 'base64').length).toBe(99);
  });

  it('bad keys return -2', async () => {
    const t = await startProbe();
    expect(await command(t, 'set||v', `set|${'k'.repeat(257)}|v`, `set|${'k'.repeat(256)}|v`)).toEqual(['set -2', 'set -2', 'set 0']);
  });

  it('a corrupt file starts an empty store with a warning', async () => {
    const kvFile = join(dir, 'corrupt.json');
    writeFileSync(kvFile, '{"format":"megabit-kv/1","entries":{"a":');
    const t = await startProbe({ kvFile });
    expect(t.logs[0].level).toBe('warn');
    expect(t.logs[0].message).toMatch(/^the KV store file .*corrupt\.json is corrupt \(.*\); starting empty$/);
    expect(await command(t, 'get|a', 'set|a|1', 'get|a')).toEqual(['get <none>', 'set 0', 'get 1']);
  });

  it('writes are saved within about a second without waiting for close()', async () => {
    const kvFile = join(dir, 'coalesced.json');
    const t = await startProbe({ kvFile });
    const sets = Array.from({ length: 30 }, (_, i) => `set|n|${i}`);
    await command(t, ...sets);
    await command(t, 'set|last|yes');
    const deadline = Date.now() + 5000;
    while (!existsSync(kvFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Give a second save (if the first one raced the last tick) time to land, then check the content.
    await new Promise((r) => setTimeout(r, 1200));
    const saved = JSON.parse(readFileSync(kvFile, 'utf8')) as { entries: Record<string, string> };
    expect(Buffer.from(saved.entries.n, 'base64').toString()).toBe('29');
    expect(Buffer.from(saved.entries.last, 'base64').toString()).toBe('yes');
  });

  it('a store that cannot be saved keeps working in memory and says so once', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, '');
    const t = await startProbe({ kvFile: join(notADir, 'kv.json') });
    expect(await command(t, 'set|a|1')).toEqual(['set 0']);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await command(t, 'set|a|2', 'get|a')).toEqual(['set 0', 'get 2']);
    await t.app.close();
    const problems = t.logs.filter((l) => l.level !== 'info');
    expect(problems.map((l) => l.level)).toEqual(['warn', 'error']);
    expect(problems[0].message).toMatch(/^could not read the KV store \(ENOTDIR/);
    expect(problems[1].message).toMatch(/^could not save the KV store: E(NOTDIR|EXIST)/);
  });

  it('reads and deletes write nothing to disk', async () => {
    const kvFile = join(dir, 'untouched.json');
    const t = await startProbe({ kvFile });
    await command(t, 'get|a', 'del|a');
    await t.app.close();
    expect(existsSync(kvFile)).toBe(false);
  });
});

describe('inbox and buttons', () => {
  it('data payloads are delivered oldest first', async () => {
    const t = await startProbe();
    expect(await command(t, 'log|1|one', 'log|1|two', 'log|1|three')).toEqual(['one', 'two', 'three']);
  });

  it('the inbox keeps the newest 32 payloads', async () => {
    const t = await startProbe();
    const lines = Array.from({ length: 40 }, (_, i) => `log|1|m${i}`);
    expect(await command(t, ...lines)).toEqual(lines.slice(8).map((l) => l.slice(6)));
  });

  it("pushing data leaves the caller's buffer (and whatever shares its memory) intact", async () => {
    const t = await startProbe();
    // Like an MQTT payload: a view into a larger receive buffer (too large for Node's pool).
    const receive = Buffer.alloc(16 * 1024, 'y');
    receive.write('log|1|shared', 2);
    const payload = receive.subarray(2, 14);
    t.app.pushData(payload);
    expect(payload.toString()).toBe('log|1|shared');
    expect(receive.length).toBe(16 * 1024);
    expect(receive.subarray(14, 20).toString()).toBe('yyyyyy');
    expect(await command(t)).toEqual(['shared']);
  });

  it('an oversized payload is dropped with a warning', async () => {
    const t = await startProbe();
    t.app.pushData(new Uint8Array(64 * 1024 + 1));
    expect(t.logs.at(-1)).toEqual({ level: 'warn', message: 'a data payload of 65537 bytes was dropped: the inbox takes at most 65536 bytes per payload' });
    expect(await command(t, 'log|1|after')).toEqual(['after']);
  });

  it('button events arrive in order, before the data of the same tick', async () => {
    const t = await startProbe();
    t.app.pushButton({ button: 'main', action: 'press' });
    t.app.pushButton({ button: 'main', action: 'long_press' });
    t.app.pushButton({ button: 'main', action: 'double_press' });
    expect(await command(t, 'log|1|data')).toEqual([
      'button {"button":"main","action":"press"}',
      'button {"button":"main","action":"long_press"}',
      'button {"button":"main","action":"double_press"}',
      'data',
    ]);
    expect(await command(t)).toEqual([]);
  });
});

describe('MQTT and Home Assistant', () => {
  const perms = { manifest: manifest({ permissions: { mqtt: ['home/temp'], homeassistant: ['sensor.outside'] } }), homeAssistantAccess: ['sensor'] };

  it('an allowed topic is unavailable until a value arrives, then readable', async () => {
    const t = await startProbe(perms);
    expect(await command(t, 'mqtt|home/temp')).toEqual(['mqtt {"ok":false,"error":"unavailable"}']);
    t.app.setMqttValue('home/temp', encode('21.5 °C'));
    t.app.setMqttValue('home/temp', encode('"22"'));
    expect(await command(t, 'mqtt|home/temp')).toEqual(['mqtt {"ok":true,"value":"\\"22\\""}']);
  });

  it('a topic outside permissions.mqtt is denied, even when the bridge has a value', async () => {
    const t = await startProbe(perms);
    t.app.setMqttValue('home/secret', encode('1234'));
    expect(await command(t, 'mqtt|home/secret')).toEqual(['mqtt {"ok":false,"error":"denied: home/secret is not in permissions.mqtt"}']);
  });

  it('Home Assistant states: unavailable, allowed, denied, and gone again', async () => {
    const t = await startProbe(perms);
    expect(await command(t, 'ha|sensor.outside')).toEqual(['ha {"ok":false,"error":"unavailable"}']);
    t.app.setHomeAssistantState('sensor.outside', { state: '7.5', attributes: { unit_of_measurement: '°C' }, last_changed: '2026-11-25T19:00:00Z' });
    t.app.setHomeAssistantState('sensor.inside', { state: '21', attributes: {} });
    expect(await command(t, 'ha|sensor.outside', 'ha|sensor.inside')).toEqual([
      'ha {"ok":true,"state":"7.5","attributes":{"unit_of_measurement":"°C"}}',
      'ha {"ok":false,"error":"denied: sensor.inside is not in permissions.homeassistant"}',
    ]);
    t.app.setHomeAssistantState('sensor.outside', null);
    expect(await command(t, 'ha|sensor.outside')).toEqual(['ha {"ok":false,"error":"unavailable"}']);
  });

  it('an entity the manifest asks for is denied unless homeassistant.app_access allows it, by id or domain', async () => {
    const asks = manifest({ permissions: { homeassistant: ['lock.front_door', 'sensor.power'] } });
    const state = { state: 'unlocked', attributes: {} };
    const nothing = await startProbe({ manifest: asks });
    nothing.app.setHomeAssistantState('lock.front_door', state);
    expect(await command(nothing, 'ha|lock.front_door')).toEqual([
      'ha {"ok":false,"error":"denied: lock.front_door is not allowed by homeassistant.app_access in megabit.yaml"}',
    ]);
    const byId = await startProbe({ manifest: asks, homeAssistantAccess: ['lock.front_door'] });
    byId.app.setHomeAssistantState('lock.front_door', state);
    byId.app.setHomeAssistantState('sensor.power', { state: '300', attributes: {} });
    expect(await command(byId, 'ha|lock.front_door', 'ha|sensor.power')).toEqual([
      'ha {"ok":true,"state":"unlocked","attributes":{}}',
      'ha {"ok":false,"error":"denied: sensor.power is not allowed by homeassistant.app_access in megabit.yaml"}',
    ]);
    // The user's list never adds to what the manifest asks for.
    const byDomain = await startProbe({ manifest: asks, homeAssistantAccess: ['sensor', 'lock', 'light'] });
    byDomain.app.setHomeAssistantState('light.kitchen', { state: 'on', attributes: {} });
    byDomain.app.setHomeAssistantState('sensor.power', { state: '300', attributes: {} });
    expect(await command(byDomain, 'ha|sensor.power', 'ha|light.kitchen')).toEqual([
      'ha {"ok":true,"state":"300","attributes":{}}',
      'ha {"ok":false,"error":"denied: light.kitchen is not in permissions.homeassistant"}',
    ]);
  });

  it('an app without permissions is denied everything', async () => {
    const t = await startProbe();
    expect(await command(t, 'mqtt|home/temp', 'ha|sensor.outside')).toEqual([
      'mqtt {"ok":false,"error":"denied: home/temp is not in permissions.mqtt"}',
      'ha {"ok":false,"error":"denied: sensor.outside is not in permissions.homeassistant"}',
    ]);
  });
});

describe('logs', () => {
  it('levels map to names; out-of-range levels are clamped; Extism log functions are forwarded', async () => {
    const t = await startProbe();
    await command(t, 'log|0|d', 'log|1|i', 'log|2|w', 'log|3|e', 'log|7|high', 'log|-4|low', 'extlog|via extism');
    expect(t.logs.slice(1)).toEqual([
      { level: 'debug', message: 'd' },
      { level: 'info', message: 'i' },
      { level: 'warn', message: 'w' },
      { level: 'error', message: 'e' },
      { level: 'error', message: 'high' },
      { level: 'debug', message: 'low' },
      { level: 'info', message: 'via extism' },
    ]);
  });

  it('long lines are cut at 1024 characters', async () => {
    const t = await startProbe();
    const [line] = await command(t, `log|1|${'x'.repeat(3000)}`);
    expect(line).toBe(`${'x'.repeat(1024)}…`);
  });

  it('lines over the rate limit are dropped and summed up once', async () => {
    const t = await startProbe({ limits: { logLinesPerSecond: 5 } });
    const spam = await command(t, 'spam|20');
    // "setup ticks=0" used one line of the first window, unless that window had ended already.
    const passed = spam.length;
    expect([4, 5]).toContain(passed);
    expect(spam).toEqual(Array.from({ length: passed }, (_, i) => `spam ${i}`));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await command(t, 'log|1|later')).toEqual([`${20 - passed} log lines dropped (limit: 5 per second)`, 'later']);
    expect(t.logs.at(-2)!.level).toBe('warn');
    expect(await command(t, 'log|1|quiet')).toEqual(['quiet']);
  });
});
