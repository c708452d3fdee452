/**
 * The embedded broker with logins and the shipped ACL (config/megabit.acl), tried from outside as
 * an attacker and as Home Assistant would, with Debian's mosquitto_pub/mosquitto_sub and mqtt.js
 * over MQTT 3.1.1 and 5. The password file is written by `megabit user add`, mosquitto itself
 * accepts that file, and a file written by mosquitto_passwd logs in here.
 */
import { readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DeviceTopics } from '@megabit/contract';
import { exampleInstall, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { expectStillOnline } from '../helpers/still-online';
import { newDataDir } from '../helpers/data-dir';
import { withLoginsAndShippedAcl } from '../helpers/shipped-acl';
import { megabitUserAdd, megabitUserRemove, mosquittoPub, mosquittoSub } from '../helpers/mosquitto-tools';
import { P } from '../helpers/topics';
import { waitUntil } from '../helpers/ports';

jest.setTimeout(90_000);

const topics = new DeviceTopics();
const ADMIN = { username: 'admin', password: 'admin pass' };
const HA = { username: 'homeassistant', password: 'ha-pass' };
const BRIDGE_CLIENT_ID = 'megabit-megabit';

describe('the embedded broker with logins and the shipped ACL', () => {
  let bridge: RunningBridge;
  let admin: TestClient;
  let passwordFile: string;
  const port = (): number => bridge.brokerPort;
  const login = (who: { username: string; password: string }): string[] => ['-u', who.username, '-P', who.password];

  beforeAll(async () => {
    const { dataDir, broker, passwordFile: written } = await withLoginsAndShippedAcl([ADMIN, HA]);
    passwordFile = written;
    bridge = await startBridge({ dataDir, broker, settings: { rotation: { enabled: false } } });
    admin = await TestClient.connect(bridge.mqttUrl, topics, { ...ADMIN, protocolVersion: 5 });
    await admin.subscribe([P('availability'), P('response/#'), P('state/apps')]);
    await admin.waitFor(P('availability'), (m) => m.payload.toString() === 'online');
  });

  afterAll(async () => {
    await admin?.close();
    await bridge?.dispose();
  });

  /** The bridge is still connected: never `offline` for the admin watching, `online` for a newcomer. */
  async function expectBridgeOnline(): Promise<void> {
    expect(admin.on(P('availability')).map((m) => m.payload.toString())).not.toContain('offline');
    await expectStillOnline(bridge, ADMIN);
  }

  it("the password file was written 0600 in mosquitto's $7$ format", () => {
    const lines = readFileSync(passwordFile, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['admin', 'homeassistant']);
    for (const line of lines) expect(line).toMatch(/^[a-z]+:\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{88}$/);
    const mode = execFileSync('stat', ['-c', '%a', passwordFile]).toString().trim();
    expect(mode).toBe('600');
  });

  it('refuses clients without a login (rc 5) and with a wrong password (rc 4)', async () => {
    expect((await mosquittoPub(port(), ['-t', P('cmd/notify'), '-m', 'anon'])).code).toBe(5);
    expect((await mosquittoPub(port(), ['-u', 'admin', '-P', 'wrong', '-t', P('cmd/notify'), '-m', 'x'])).code).toBe(4);
    expect((await mosquittoPub(port(), ['-u', 'nobody', '-P', 'x', '-t', P('cmd/notify'), '-m', 'x'])).code).toBe(4);
    // MQTT 5: "bad user name or password" (0x86 = 134) and "not authorized" (0x87 = 135).
    expect((await mosquittoPub(port(), ['-V', 'mqttv5', '-u', 'admin', '-P', 'wrong', '-t', 'x', '-m', 'x'])).code).toBe(134);
    expect((await mosquittoPub(port(), ['-V', 'mqttv5', '-t', 'x', '-m', 'x'])).code).toBe(135);
  });

  it('lets homeassistant notify but not install: no reply, nothing installed', async () => {
    const since = admin.messages.length;
    const notify = await mosquittoPub(port(), [...login(HA), '-q', '1', '-t', P('cmd/notify'), '-m', '{"text":"from HA","transaction":"ha-1"}']);
    expect(notify.code).toBe(0);
    const reply = await admin.waitFor(P('response/notify'), (m) => m.payload.toString().includes('"ha-1"'), 10_000, since);
    expect(JSON.parse(reply.payload.toString())).toMatchObject({ ok: true });

    const install = JSON.stringify({ ...exampleInstall('life'), transaction: 'ha-install' });
    const denied = await mosquittoPub(port(), ['-V', 'mqttv5', ...login(HA), '-q', '1', '-t', P('cmd/apps/install'), '-s'], install);
    expect(denied.stderr).toMatch(/not authori[sz]ed/i);
    // MQTT 3.1.1 has no refusal code: the broker closes that connection instead.
    await mosquittoPub(port(), [...login(HA), '-q', '1', '-t', P('cmd/apps/install'), '-s'], install);
    // App commands run in order in one lane: once the admin's later command is answered, a reply
    // to Home Assistant's install would have come first, had it reached the bridge.
    expect(await admin.request('apps/order', { order: [] })).toMatchObject({ ok: true });
    expect(admin.on(P('response/apps/install'), since)).toEqual([]);
    const apps = await mosquittoSub(port(), [...login(ADMIN), '-t', P('state/apps'), '-C', '1', '-W', '5']);
    expect(apps.stdout).not.toContain('"life"');
    // The same request from admin installs: the refusal above was the ACL, not a bad request.
    expect(await admin.request('apps/install', exampleInstall('life'))).toMatchObject({ ok: true, id: 'life' });
    expect(await admin.request('apps/remove', { id: 'life' })).toMatchObject({ ok: true });
  });

  it('lets homeassistant set night mode (its switch, select and number send P/cmd/night) and the reply comes', async () => {
    const since = admin.messages.length;
    const sent = await mosquittoPub(port(), [...login(HA), '-q', '1', '-t', P('cmd/night'), '-m', '{"brightness":12,"transaction":"ha-night"}']);
    expect(sent.code).toBe(0);
    const reply = await admin.waitFor(P('response/night'), (m) => m.payload.toString().includes('"ha-night"'), 10_000, since);
    expect(JSON.parse(reply.payload.toString())).toMatchObject({ ok: true, mode: 'auto', brightness: 12 });
  });

  // $SYS, with a user granted it explicitly: broker-sys-topics.test.ts.
  it('refuses homeassistant subscriptions outside its grants (SUBACK 0x80)', async () => {
    const all = await mosquittoSub(port(), [...login(HA), '-t', '#', '-d', '-W', '2']);
    expect(all.stdout).toMatch(/Subscribed \(mid: 1\): 128/);
    const own = await mosquittoSub(port(), [...login(HA), '-t', P('availability'), '-C', '1', '-W', '5']);
    expect(own.stdout.trim()).toBe('online');
  });

  it('homeassistant never sees app config (API keys) and cannot pose as the bridge', async () => {
    const refusedSub = await mosquittoSub(port(), [...login(HA), '-t', P('cmd/apps/x/config'), '-d', '-W', '2']);
    expect(refusedSub.stdout).toMatch(/Subscribed \(mid: 1\): 128/);
    const ha = await TestClient.connect(bridge.mqttUrl, topics, { ...HA, protocolVersion: 5 });
    try {
      const granted = async (filter: string): Promise<number[] | undefined> =>
        ha.client.subscribeAsync(filter, { qos: 1 }).then(
          (g) => g.map((x) => x.qos),
          (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
        );
      expect(await granted(P('cmd/apps/x/config'))).toEqual([0x87]);
      expect(await granted(P('cmd/#'))).toEqual([0x87]);
      expect(await granted(P('#'))).toEqual([0x87]);
      // What Home Assistant needs: state (retained) and the replies to its own commands.
      await ha.subscribe(P('state'));
      expect((await ha.waitFor(P('state'), (m) => m.retain)).payload.toString()).toContain('"app"');
      expect(await ha.request('notify', { text: 'HA still may' })).toMatchObject({ ok: true });

      // The admin writes an app's config: the bridge has routed it once its reply is out, and
      // Home Assistant received nothing of it.
      await admin.request('apps/x/config', { api_key: 'SECRET-KEY-123' });
      expect(ha.messages.filter((m) => m.topic.includes('/cmd/') || m.payload.toString().includes('SECRET-KEY-123'))).toEqual([]);

      // Posing as the bridge: MQTT 5 PUBACK 0x87, nothing kept.
      const publish = (topic: string, payload: string): Promise<number | undefined> =>
        ha.client.publishAsync(topic, payload, { qos: 1, retain: true }).then(
          () => undefined,
          (e: { code?: number }) => e.code,
        );
      expect(await publish(P('availability'), 'offline')).toBe(0x87);
      expect(await publish(P('state'), '{"app":"fake"}')).toBe(0x87);
      const [discovery] = (await mosquittoSub(port(), [...login(ADMIN), '-t', 'homeassistant/device/+/config', '-C', '1', '-W', '5', '-v'])).stdout
        .trim()
        .split(' ', 1);
      expect(discovery).toBe('homeassistant/device/megabit_megabit/config');
      expect(await publish(discovery, '{"name":"injected","command_topic":"x"}')).toBe(0x87);
      expect(await publish('homeassistant/sensor/evil/x/config', '{"name":"injected"}')).toBe(0x87);
      expect(await publish(P('cmd/apps/install'), '{}')).toBe(0x87);
    } finally {
      await ha.close();
    }
    const kept = await mosquittoSub(port(), [...login(ADMIN), '-t', 'homeassistant/#', '-W', '2', '-v']);
    expect(kept.stdout).not.toContain('injected');
    await expectBridgeOnline();
  });

  it("refuses the bridge's own client id, and the bridge stays online", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await mosquittoPub(port(), [...login(ADMIN), '-i', BRIDGE_CLIENT_ID, '-t', P('availability'), '-m', 'offline', '-r'])).code).toBe(2);
    }
    // MQTT 5: 0x85 "client identifier not valid" (133).
    expect((await mosquittoPub(port(), ['-V', 'mqttv5', ...login(ADMIN), '-i', BRIDGE_CLIENT_ID, '-t', 'x', '-m', 'x'])).code).toBe(133);
    await expectBridgeOnline();
    expect(bridge.output).not.toMatch(/connection to the broker lost/);
  });

  it('speaks MQTT 5 end to end: commands, replies, retained state, the will, logins and the ACL', async () => {
    const ha = await TestClient.connect(bridge.mqttUrl, topics, { ...HA, protocolVersion: 5 });
    try {
      expect(ha.client.options.protocolVersion).toBe(5);
      expect(await ha.request('notify', { text: 'v5' })).toMatchObject({ ok: true });
      await ha.subscribe(P('state'));
      expect((await ha.waitFor(P('state'))).retain).toBe(true);
      const refused = await ha.client.publishAsync(P('cmd/apps/remove'), '{"id":"clock"}', { qos: 1 }).then(
        () => undefined,
        (e: { code?: number }) => e,
      );
      expect(refused?.code).toBe(0x87);
      const subscribed = await ha.client.subscribeAsync('#', { qos: 1 }).then(
        () => undefined,
        (e: { packet?: { granted?: number[] } }) => e,
      );
      expect(subscribed?.packet?.granted).toEqual([0x87]);

      const watcher = await TestClient.connect(bridge.mqttUrl, topics, { ...ADMIN, protocolVersion: 5 });
      await watcher.subscribe('test/will');
      const dying = await mqtt.connectAsync(bridge.mqttUrl, {
        ...ADMIN,
        protocolVersion: 5,
        reconnectPeriod: 0,
        will: { topic: 'test/will', payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      dying.stream.destroy();
      expect((await watcher.waitFor('test/will')).payload.toString()).toBe('gone');
      await watcher.close();
      dying.end(true);

      const wrong = await mqtt
        .connectAsync(bridge.mqttUrl, { username: 'admin', password: 'nope', protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 })
        .then(
          () => undefined,
          (e: { code?: number }) => e,
        );
      expect(wrong?.code).toBe(0x86);
    } finally {
      await ha.close();
    }
    const v5pub = await mosquittoPub(port(), ['-V', 'mqttv5', ...login(HA), '-q', '1', '-t', P('cmd/notify'), '-m', 'mosquitto v5']);
    expect(v5pub.code).toBe(0);
    await expectBridgeOnline();
  });

  it('reads a password file edited while running: mosquitto_passwd users log in, removed users are out', async () => {
    execFileSync('mosquitto_passwd', ['-b', passwordFile, 'guest', 'guest pass']);
    execFileSync('mosquitto_passwd', ['-H', 'sha512', '-b', passwordFile, 'oldstyle', 'old pass']);
    // mosquitto's way to reload; the bridge would also notice the change by itself within a second.
    process.kill(bridge.pid!, 'SIGHUP');
    const loggedIn = async (user: string, password: string): Promise<number | null> =>
      (await mosquittoPub(port(), ['-u', user, '-P', password, '-t', 'test/x', '-m', 'x'])).code;
    await waitUntil(async () => (await loggedIn('guest', 'guest pass')) === 0, 'the guest login to work', 10_000, 200);
    expect(await loggedIn('oldstyle', 'old pass')).toBe(0);
    expect((await megabitUserRemove(passwordFile, 'guest')).code).toBe(0);
    await waitUntil(async () => (await loggedIn('guest', 'guest pass')) === 4, 'the guest login to be refused', 10_000, 200);
    await expectBridgeOnline();
  });
});

describe('the password file works in both brokers', () => {
  it('mosquitto accepts a file written by megabit user add', async () => {
    const dataDir = newDataDir();
    const file = join(dataDir, 'passwords');
    await megabitUserAdd(file, 'alice', 'alice pass');
    // As root, mosquitto would switch to the mosquitto user, who cannot read a 0600 file of root's.
    const broker = await Mosquitto.start({ auth: ['allow_anonymous false', `password_file ${file}`], extraConfig: ['user root'] });
    try {
      expect((await mosquittoPub(broker.port, ['-u', 'alice', '-P', 'alice pass', '-t', 'x', '-m', 'x'])).code).toBe(0);
      expect((await mosquittoPub(broker.port, ['-u', 'alice', '-P', 'wrong', '-t', 'x', '-m', 'x'])).code).toBe(5);
    } finally {
      // dispose, not stop: it also removes the broker's config folder in /tmp.
      await broker.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
