/**
 * Icons through the real bridge process and its embedded broker with logins and the shipped ACL:
 * uploads (raw and base64 PNG, animated GIF), every refusal with its error reply, deletes, a
 * built-in replaced and restored, the retained `P/state/icons`, persistence across a restart,
 * and a user without write rights refused by the broker.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceTopics, type IconInfo } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { withLoginsAndShippedAcl } from '../helpers/shipped-acl';
import { gifHeaderBomb, gifWithFrames, makeGif, makePng } from '../helpers/icon-images';
import { mosquittoPub } from '../helpers/mosquitto-tools';
import { json, TestClient } from '../helpers/mqtt-client';
import { P } from '../helpers/topics';

jest.setTimeout(90_000);

const ADMIN = { username: 'admin', password: 'admin pass' };
const HA = { username: 'homeassistant', password: 'ha-pass' };

const PNG_8 = makePng(8, 8, (x, y) => [x * 30, y * 30, 200, x === y ? 0 : 255]);
const GIF_3 = makeGif(
  4,
  4,
  [
    [255, 0, 0],
    [0, 255, 0],
  ],
  [100, 250, 40].map((delayMs, i) => ({ indices: Array<number>(16).fill(i % 2), delayMs })),
);

describe('icons over MQTT', () => {
  let bridge: RunningBridge;
  let admin: TestClient;

  beforeAll(async () => {
    const { dataDir, broker } = await withLoginsAndShippedAcl([ADMIN, HA]);
    bridge = await startBridge({ dataDir, broker, settings: { rotation: { enabled: false } } });
    admin = await TestClient.connect(bridge.mqttUrl, new DeviceTopics(), { ...ADMIN, protocolVersion: 5 });
    await admin.subscribe([P('state/icons'), P('response/#')]);
  });

  afterAll(async () => {
    await admin?.close();
    await bridge?.dispose();
  });

  /** The first `P/state/icons` recorded from message `since` on that satisfies `check`. */
  async function iconState(check: (icons: IconInfo[]) => boolean, since = 0): Promise<IconInfo[]> {
    return json<IconInfo[]>((await admin.waitFor(P('state/icons'), (m) => check(json<IconInfo[]>(m.payload)), 10_000, since)).payload);
  }
  /** The first `P/state/icons` published after `action` started (each upload or delete publishes one). */
  async function stateAfter(action: () => Promise<unknown>): Promise<IconInfo[]> {
    const since = admin.messages.length;
    await action();
    return iconState(() => true, since);
  }
  const entry = (icons: IconInfo[], name: string): IconInfo | undefined => icons.find((i) => i.name === name);

  it('publishes the built-in icons, retained, at start', async () => {
    const icons = await iconState((list) => list.length > 0);
    expect(icons.length).toBeGreaterThanOrEqual(30);
    expect(entry(icons, 'sun')).toEqual({ name: 'sun', width: 8, height: 8, frames: 1, builtin: true });
    expect(admin.on(P('state/icons'))[0]!.retain).toBe(true);
  });

  it('takes a PNG as raw bytes and as base64 text', async () => {
    expect(await admin.request('icons/logo', PNG_8)).toEqual({ ok: true, name: 'logo', width: 8, height: 8, frames: 1 });
    expect(await admin.request('icons/logo64', PNG_8.toString('base64'))).toEqual({ ok: true, name: 'logo64', width: 8, height: 8, frames: 1 });
    const icons = await iconState((list) => entry(list, 'logo64') !== undefined);
    expect(entry(icons, 'logo')).toEqual({ name: 'logo', width: 8, height: 8, frames: 1, builtin: false });
    // Kept as uploaded, private to the bridge's user.
    const file = join(bridge.dataDir, 'icons', 'logo.png');
    expect(readFileSync(file)).toEqual(PNG_8);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('takes an animated GIF with its frames, kept byte for byte (its timing with it)', async () => {
    expect(await admin.request('icons/blink', GIF_3)).toEqual({ ok: true, name: 'blink', width: 4, height: 4, frames: 3 });
    expect(readFileSync(join(bridge.dataDir, 'icons', 'blink.gif'))).toEqual(GIF_3);
  });

  it.each([
    ['an icon over 32x32', makePng(33, 8, () => [1, 2, 3, 255]), 'too_large', 'the image is 33x8 pixels; icons are at most 32x32'],
    ['a GIF header claiming 65535x65535', gifHeaderBomb(), 'too_large', 'the image is 65535x65535 pixels; icons are at most 32x32'],
    ['a GIF of 65 frames', gifWithFrames(65), 'too_large', 'the GIF has more than 64 frames; icons have at most 64'],
    ['a PNG with broken data', Buffer.concat([PNG_8.subarray(0, 40), Buffer.alloc(60, 0xab)]), 'invalid_payload', 'broken PNG'],
    ['a GIF cut short', GIF_3.subarray(0, GIF_3.length - 10), 'invalid_payload', 'broken GIF: the file ends too early'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'invalid_payload', 'payload is not a PNG or GIF file'],
    ['a PNG over 64 KiB', Buffer.concat([PNG_8, Buffer.alloc(64 * 1024)]), 'too_large', 'icons take at most 65536'],
  ])('refuses %s with a clear error, storing nothing', async (_what, payload, code, message) => {
    const reply = await admin.request('icons/bad', payload);
    expect(reply).toEqual({ ok: false, error: { code, message: expect.stringContaining(message) } });
    // The next change's state (in the same lane, so after the refusal) has no "bad".
    const icons = await stateAfter(() => admin.request('icons/probe', payload === PNG_8 ? GIF_3 : PNG_8));
    expect(entry(icons, 'probe')).toBeDefined();
    expect(entry(icons, 'bad')).toBeUndefined();
  });

  it.each(['Sun', 'x'.repeat(33), 'sun.png', 'ä'])('refuses the name %j', async (name) => {
    expect(await admin.request(`icons/${name}`, PNG_8)).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: `"${name}" is not an icon name: 1 to 32 of a-z, 0-9, _ and -` },
    });
  });

  it('deletes an upload with an empty payload; a second delete is unknown_icon', async () => {
    expect(entry(await stateAfter(() => admin.request('icons/gone', PNG_8)), 'gone')).toMatchObject({ builtin: false });
    let reply: unknown;
    const after = await stateAfter(async () => (reply = await admin.request('icons/gone', '')));
    expect(reply).toEqual({ ok: true, name: 'gone', deleted: true });
    expect(entry(after, 'gone')).toBeUndefined();
    expect(existsSync(join(bridge.dataDir, 'icons', 'gone.png'))).toBe(false);
    expect(await admin.request('icons/gone', '')).toEqual({ ok: false, error: { code: 'unknown_icon', message: 'no icon "gone" was uploaded' } });
  });

  it('refuses to delete a built-in; an upload replaces it until deleted', async () => {
    expect(await admin.request('icons/sun', '')).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: '"sun" is a built-in icon and cannot be deleted; upload a picture under its name to replace it' },
    });
    let reply: unknown;
    const replaced = await stateAfter(async () => (reply = await admin.request('icons/sun', GIF_3)));
    expect(reply).toMatchObject({ ok: true, width: 4, frames: 3 });
    expect(entry(replaced, 'sun')).toEqual({ name: 'sun', width: 4, height: 4, frames: 3, builtin: false });
    const restored = await stateAfter(async () => (reply = await admin.request('icons/sun', '')));
    expect(reply).toEqual({ ok: true, name: 'sun', deleted: true });
    expect(entry(restored, 'sun')).toEqual({ name: 'sun', width: 8, height: 8, frames: 1, builtin: true });
  });

  it('keeps uploads across a restart', async () => {
    await admin.close();
    await bridge.restart();
    admin = await TestClient.connect(bridge.mqttUrl, new DeviceTopics(), { ...ADMIN, protocolVersion: 5 });
    await admin.subscribe([P('state/icons'), P('response/#')]);
    const icons = await iconState((list) => entry(list, 'blink') !== undefined);
    expect(entry(icons, 'blink')).toEqual({ name: 'blink', width: 4, height: 4, frames: 3, builtin: false });
    expect(entry(icons, 'logo')).toEqual({ name: 'logo', width: 8, height: 8, frames: 1, builtin: false });
    expect(entry(icons, 'gone')).toBeUndefined();
  });

  it("refuses Home Assistant's upload at the broker (the shipped ACL grants icons to the admin only)", async () => {
    const denied = await mosquittoPub(
      bridge.brokerPort,
      ['-V', 'mqttv5', '-u', HA.username, '-P', HA.password, '-q', '1', '-t', P('cmd/icons/ha'), '-s'],
      PNG_8,
    );
    expect(denied.stderr).toMatch(/not authori[sz]ed/i);
    // Commands in one lane run in order: once the admin's later upload is answered, the
    // refused one would have been stored first, had it reached the bridge.
    const icons = await stateAfter(() => admin.request('icons/after_ha', PNG_8));
    expect(entry(icons, 'after_ha')).toBeDefined();
    expect(entry(icons, 'ha')).toBeUndefined();
    // The same upload from the admin is stored: the refusal was the ACL, not the payload.
    expect(await admin.request('icons/ha', PNG_8)).toMatchObject({ ok: true, name: 'ha' });
  });
});
