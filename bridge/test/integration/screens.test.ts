/**
 * Screens published to P/cmd/screens/<id>, through the real bridge process and its embedded
 * broker: they join the rotation beside the apps, show on P/display/frame, are ordered, disabled,
 * selected and removed like apps, expire, survive a restart, and every bad payload gets a clear
 * error that changes nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { exampleInstall, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { rgbAt } from '../helpers/display';
import { json, TestClient, type Received } from '../helpers/mqtt-client';
import { P } from '../helpers/topics';

jest.setTimeout(120_000);

const BLUE = '#0000ff';

describe('screens on the real bridge', () => {
  let bridge: RunningBridge;
  let client: TestClient;
  const mark = (): number => client.messages.length;
  const screensFile = (): string => join(bridge.dataDir, 'screens.json');
  const storedIds = (): string[] => (existsSync(screensFile()) ? Object.keys(JSON.parse(readFileSync(screensFile(), 'utf8')).screens) : []);

  /** The first P/state/apps from message `since` on that satisfies `predicate`. */
  const apps = async (predicate: (a: AppStatus[]) => boolean, since = 0): Promise<AppStatus[]> =>
    json<AppStatus[]>((await client.waitFor(P('state/apps'), (m) => predicate(json(m.payload)), 10_000, since)).payload);
  const state = async (predicate: (s: DeviceState) => boolean, since = 0): Promise<DeviceState> =>
    json<DeviceState>((await client.waitFor(P('state'), (m) => predicate(json(m.payload)), 10_000, since)).payload);
  const frame = (predicate: (f: Buffer) => boolean, since = 0): Promise<Received> =>
    client.waitFor(P('display/frame'), (m) => predicate(m.payload), 10_000, since);
  const isRgb = (f: Buffer, x: number, y: number, rgb: [number, number, number]): boolean =>
    JSON.stringify(rgbAt(new Uint8Array(f), x, y)) === JSON.stringify(rgb);

  beforeAll(async () => {
    bridge = await startBridge({ apps: ['clock'], settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe('megabit/megabit/#');
    await apps((a) => a.some((x) => x.id === 'clock'));
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
  });

  it('adds a published screen to P/state/apps as kind screen, shows it when selected, and draws it', async () => {
    const since = mark();
    const reply = await client.request('screens/lounge', { background: BLUE, draw: [{ rect: [0, 0, 4, 4], color: '#ff0000', fill: true }] });
    expect(reply).toMatchObject({ ok: true, id: 'lounge' });
    const list = await apps((a) => a.some((x) => x.id === 'lounge'), since);
    expect(list.map((a) => [a.id, a.kind])).toEqual([
      ['clock', 'app'],
      ['lounge', 'screen'],
    ]);
    expect(list[1]).toMatchObject({ enabled: true, status: 'ok' });
    const shown = mark();
    expect(await client.request('app', 'lounge')).toMatchObject({ ok: true, app: 'lounge' });
    await state((s) => s.app === 'lounge', shown);
    const f = await frame((p) => isRgb(p, 10, 10, [0, 0, 255]), shown);
    expect(rgbAt(new Uint8Array(f.payload), 1, 1)).toEqual([255, 0, 0]);
    expect(storedIds()).toEqual(['lounge']);
  });

  it('updates the shown screen in place: the new picture, same place in the rotation', async () => {
    const since = mark();
    expect(await client.request('screens/lounge', { background: '#00ff00' })).toMatchObject({ ok: true, id: 'lounge' });
    await frame((p) => isRgb(p, 10, 10, [0, 255, 0]), since);
    expect(json<DeviceState>(client.on(P('state')).at(-1)!.payload).app).toBe('lounge');
    expect(json<AppStatus[]>(client.on(P('state/apps')).at(-1)!.payload).map((a) => a.id)).toEqual(['clock', 'lounge']);
  });

  it('places a new screen at pos, and orders and disables screens with apps/order', async () => {
    let since = mark();
    expect(await client.request('screens/first', { text: 'A', pos: 0 })).toMatchObject({ ok: true });
    expect((await apps((a) => a.some((x) => x.id === 'first'), since)).map((a) => a.id)).toEqual(['first', 'clock', 'lounge']);
    since = mark();
    expect(await client.request('apps/order', { order: ['lounge', 'clock', 'first'], disabled: ['first'] })).toMatchObject({
      ok: true,
      apps: ['lounge', 'clock', 'first'],
    });
    const list = await apps((a) => a[0]?.id === 'lounge', since);
    expect(list.find((a) => a.id === 'first')).toMatchObject({ kind: 'screen', enabled: false });
    expect(await client.request('app', 'first')).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    // The disabled screen is skipped: lounge, clock, lounge.
    since = mark();
    expect(await client.request('app/next')).toMatchObject({ ok: true });
    await state((s) => s.app === 'clock', since);
    since = mark();
    expect(await client.request('app/next')).toMatchObject({ ok: true });
    await state((s) => s.app === 'lounge', since);
    expect(await client.request('apps/order', { order: ['lounge', 'clock', 'first'], disabled: [] })).toMatchObject({ ok: true });
  });

  it('removes a screen with an empty payload; removing it again is harmless', async () => {
    const since = mark();
    expect(await client.request('screens/first', '')).toMatchObject({ ok: true, id: 'first', removed: true });
    expect((await apps((a) => !a.some((x) => x.id === 'first'), since)).map((a) => a.id)).toEqual(['lounge', 'clock']);
    expect(storedIds()).toEqual(['lounge']);
    expect(JSON.parse(readFileSync(join(bridge.dataDir, 'state.json'), 'utf8')).order).not.toContain('first');
    expect(await client.request('screens/first', '')).toMatchObject({ ok: true, id: 'first', removed: false });
  });

  it('refuses bad payloads and ids with a clear error naming the field, and changes nothing', async () => {
    const before = statSync(screensFile());
    const cases: Array<[string, string | Record<string, unknown>, string, RegExp | string]> = [
      ['screens/lounge', '{"text":', 'bad_json', /^payload is not valid JSON/],
      ['screens/lounge', { text: 'x', colour: '#ffffff' }, 'invalid_payload', 'unknown field "colour"'],
      ['screens/lounge', { progress: 120 }, 'invalid_payload', '"progress" must be a number from 0 to 100'],
      ['screens/lounge', { text: 'x', duration_s: 0 }, 'invalid_payload', '"duration_s" must be a number from 1 to 86400'],
      ['screens/lounge', { draw: [{ rect: [0, 0, 2, 2], color: 'red' }] }, 'invalid_payload', /^"draw\[0\]\.color" must be a colour/],
      ['screens/Bad', { text: 'x' }, 'invalid_payload', /^screen id "Bad" must be 1-32 characters/],
      ['screens/clock', { text: 'x' }, 'invalid_payload', 'an app is installed with the id "clock": a screen needs an id of its own'],
    ];
    for (const [path, payload, code, message] of cases) {
      const reply = await client.request(path, payload);
      expect(reply).toMatchObject({ ok: false, error: { code } });
      expect((reply.error as { message: string }).message).toMatch(message);
    }
    expect(await client.request('screens/lounge', Buffer.alloc(70 * 1024, 0x20))).toMatchObject({ ok: false, error: { code: 'too_large' } });
    const after = statSync(screensFile());
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(storedIds()).toEqual(['lounge']);
  });

  it('refuses to install an app under a screen id, and apps/remove of a screen', async () => {
    const { manifest, wasm } = exampleInstall('life');
    const reply = await client.request('apps/install', { manifest: { ...manifest, id: 'lounge' }, wasm });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect((reply.error as { message: string }).message).toMatch('a screen has the id "lounge"');
    expect(existsSync(join(bridge.dataDir, 'apps', 'lounge'))).toBe(false);
    const remove = await client.request('apps/remove', { id: 'lounge' });
    expect(remove).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: '"lounge" is a screen, not an app: remove it with an empty payload to cmd/screens/lounge' },
    });
    expect(storedIds()).toContain('lounge');
  });

  it('publishing a screen unchanged writes nothing and moves nothing', async () => {
    const before = statSync(screensFile());
    const stateBefore = statSync(join(bridge.dataDir, 'state.json'));
    const since = mark();
    expect(await client.request('screens/lounge', { background: '#00ff00' })).toMatchObject({ ok: true, id: 'lounge' });
    const after = statSync(screensFile());
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(statSync(join(bridge.dataDir, 'state.json')).mtimeMs).toBe(stateBefore.mtimeMs);
    // The reply comes after the command ran: no rotation change was announced in between.
    expect(client.on(P('state/apps'), since)).toEqual([]);
  });

  it('removes a screen whose lifetime runs out, and marks one stale (dim, amber corner) with on_expiry stale', async () => {
    let since = mark();
    expect(await client.request('screens/brief', { text: 'gone soon', lifetime_s: 1 })).toMatchObject({ ok: true });
    await apps((a) => a.some((x) => x.id === 'brief'), since);
    await apps((a) => !a.some((x) => x.id === 'brief'), since);
    expect(storedIds()).not.toContain('brief');

    since = mark();
    expect(await client.request('screens/aging', { background: '#ffffff', lifetime_s: 1, on_expiry: 'stale' })).toMatchObject({ ok: true });
    expect(await client.request('app', 'aging')).toMatchObject({ ok: true });
    await frame((p) => isRgb(p, 10, 10, [255, 255, 255]), since);
    const list = await apps((a) => a.find((x) => x.id === 'aging')?.stale === true, since);
    expect(list.find((x) => x.id === 'aging')).toMatchObject({ kind: 'screen', stale: true });
    const stale = await frame((p) => isRgb(p, 10, 10, [85, 85, 85]), since);
    expect(rgbAt(new Uint8Array(stale.payload), 63, 0)).toEqual([255, 160, 0]);
    expect(storedIds()).toContain('aging');
    // An update makes it fresh again.
    since = mark();
    expect(await client.request('screens/aging', { background: '#ffffff', lifetime_s: 60, on_expiry: 'stale' })).toMatchObject({ ok: true });
    await frame((p) => isRgb(p, 63, 0, [255, 255, 255]), since);
    expect((await apps(() => true, since)).find((x) => x.id === 'aging')?.stale).toBeUndefined();
    expect(await client.request('screens/aging', '')).toMatchObject({ removed: true });
  });

  it('shows a rich notification (progress, background) over the whole panel until it is dismissed, and checks its content as a screen is checked', async () => {
    let since = mark();
    const reply = await client.request('notify', {
      id: 'washer',
      text: 'Washer',
      progress: 100,
      background: '#000080',
      icon: 'sun',
      hold: true,
      priority: 'high',
    });
    expect(reply).toMatchObject({ ok: true, id: 'washer' });
    await state((s) => s.notification === 'washer', since);
    // The progress bar along the bottom, the background above it, over whatever was shown.
    const f = await frame((p) => isRgb(p, 10, 31, [0, 200, 83]), since);
    expect(rgbAt(new Uint8Array(f.payload), 62, 1)).toEqual([0, 0, 128]);
    expect(await client.request('notify', { text: 'x', progress: 101 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', message: '"progress" must be a number from 0 to 100' },
    });
    since = mark();
    expect(await client.request('notify/dismiss', { id: 'washer' })).toMatchObject({ ok: true, dismissed: true });
    await state((s) => s.notification === null, since);
    await frame((p) => !isRgb(p, 62, 1, [0, 0, 128]), since);
  });

  it('keeps at most 100 screens: 1000 publishes get a reply each, limit_reached past the cap, nothing else lost', async () => {
    await client.subscribe(P('response/screens/+'));
    const since = mark();
    const kept = storedIds().length;
    for (let i = 0; i < 1000; i++) {
      await client.publish(P(`cmd/screens/bulk-${i}`), JSON.stringify({ text: `n${i}`, transaction: `bulk-${i}` }));
    }
    await client.waitFor(P('response/screens/bulk-999'), () => true, 60_000, since);
    const replies = client.messages.slice(since).filter((m) => m.topic.startsWith(P('response/screens/bulk-')));
    expect(replies).toHaveLength(1000);
    const bodies = replies.map((m) => json<{ ok: boolean; error?: { code: string; message: string } }>(m.payload));
    expect(bodies.filter((b) => b.ok)).toHaveLength(100 - kept);
    const refused = bodies.filter((b) => !b.ok);
    expect(refused).toHaveLength(900 + kept);
    expect(new Set(refused.map((b) => b.error?.code))).toEqual(new Set(['limit_reached']));
    expect(refused[0]!.error!.message).toMatch(/at most 100 screens/);
    expect(storedIds()).toHaveLength(100);
    expect(storedIds()).toContain('lounge');
    const list = await apps((a) => a.length === 101);
    expect(list.filter((a) => a.kind === 'screen')).toHaveLength(100);
    // Room again after a removal.
    expect(await client.request('screens/bulk-0', '')).toMatchObject({ removed: true });
    expect(await client.request('screens/late', { text: 'late' })).toMatchObject({ ok: true, id: 'late' });
  });

  it('keeps screens, their order and their content over a restart', async () => {
    const order = json<AppStatus[]>(client.on(P('state/apps')).at(-1)!.payload).map((a) => a.id);
    const before = statSync(screensFile());
    await client.close();
    await bridge.restart();
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe('megabit/megabit/#');
    const list = await apps((a) => a.length === order.length);
    expect(list.map((a) => a.id)).toEqual(order);
    expect(list.find((a) => a.id === 'lounge')).toMatchObject({ kind: 'screen', enabled: true });
    // The first entry shows after the start: the screen, drawn from what was stored.
    await state((s) => s.app === 'lounge');
    await frame((p) => isRgb(p, 10, 10, [0, 255, 0]));
    const after = statSync(screensFile());
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });
});
