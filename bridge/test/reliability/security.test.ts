/**
 * Isolation and broker security with the real bridge. An app asks the sandbox for another app's
 * KV entries, MQTT topics and Home Assistant entities it did not declare, and is refused; and the
 * bridge logs in to a mosquitto that requires a password (over TLS too), and when the password is
 * wrong says so clearly, keeps running and retrying, and connects once the login is fixed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceTopics } from '@megabit/contract';
import { MqttConnection } from '../../src/mqtt/connection';
import { createLogger, type Level } from '../../src/util/logger';
import { makeCertificates } from '../helpers/certificates';
import { BRIDGE_CLI, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { delay, freePort } from '../helpers/ports';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';
import { P } from '../helpers/topics';

jest.setTimeout(90_000);

describe('an app reaching beyond its permissions', () => {
  let bridge: RunningBridge;
  let client: TestClient;

  beforeAll(async () => {
    const probe = await buildProbeApp();
    const dataDir = newDataDir();
    writeApp(dataDir, probeManifest('alice', { permissions: { mqtt: ['home/alice/secret'], homeassistant: ['sensor.alice'] } }), probe);
    writeApp(dataDir, probeManifest('bob', { permissions: { mqtt: ['home/bob/temperature'] } }), probe);
    // Eve asks for alice's config command topic: where the user sends alice's API keys.
    writeApp(dataDir, probeManifest('eve', { permissions: { mqtt: [P('cmd/apps/alice/config'), P('response/apps/alice/config')] } }), probe);
    bridge = await startBridge({ dataDir, settings: { rotation: { enabled: false }, sandbox: { log_lines_per_second: 1000 } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe(P('#'));
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
  });

  const logTopic = (id: string): string => P(`event/apps/${id}/log`);
  const message = (m: { payload: Buffer }): string => (JSON.parse(m.payload.toString()) as { message: string }).message;

  /**
   * Shows the probe `id` and waits until its sandbox runs: data for an app that is not running
   * yet is not delivered, so it pings until the probe answers.
   */
  async function show(id: string): Promise<void> {
    expect(await client.request('app', id)).toMatchObject({ ok: true, app: id });
    const since = client.messages.length;
    const answered = (): boolean => client.on(logTopic(id), since).some((m) => message(m).startsWith('ping'));
    for (let i = 0; i < 50 && !answered(); i++) {
      await client.request(`apps/${id}/data`, `log|1|ping ${i}`);
      await delay(200);
    }
    expect(answered()).toBe(true);
  }

  /** Sends the probe one command and returns the first line it logs that starts like `expect`. */
  async function ask(id: string, command: string, answerPrefix: string): Promise<string> {
    const since = client.messages.length;
    expect(await client.request(`apps/${id}/data`, command)).toMatchObject({ ok: true });
    return message(await client.waitFor(logTopic(id), (m) => message(m).startsWith(answerPrefix), 10_000, since));
  }

  it("cannot read another app's KV entries, topics or entities", async () => {
    await client.publish('home/alice/secret', 'alice-topic-value', { retain: true });
    await client.publish('home/bob/temperature', '21.5', { retain: true });

    await show('alice');
    expect(await ask('alice', 'set|secret|alice-kv-value', 'set ')).toBe('set 0');
    expect(await ask('alice', 'get|secret', 'get ')).toBe('get alice-kv-value');
    // What alice may read, she reads: the probe and the feed work.
    expect(await ask('alice', 'mqtt|home/alice/secret', 'mqtt ')).toBe('mqtt {"ok":true,"value":"alice-topic-value"}');

    await show('bob');
    expect(await ask('bob', 'get|secret', 'get ')).toBe('get <none>');
    expect(await ask('bob', 'get|../alice/secret', 'get ')).toBe('get <none>');
    expect(await ask('bob', 'mqtt|home/bob/temperature', 'mqtt ')).toBe('mqtt {"ok":true,"value":"21.5"}');
    expect(await ask('bob', 'mqtt|home/alice/secret', 'mqtt ')).toBe('mqtt {"ok":false,"error":"denied: home/alice/secret is not in permissions.mqtt"}');
    expect(await ask('bob', 'mqtt|home/#', 'mqtt ')).toBe('mqtt {"ok":false,"error":"denied: home/# is not in permissions.mqtt"}');
    expect(await ask('bob', 'ha|sensor.alice', 'ha ')).toBe('ha {"ok":false,"error":"denied: sensor.alice is not in permissions.homeassistant"}');

    // On disk too: alice's value is in her KV file only (saved when she was switched away).
    const kv = (id: string): string => {
      try {
        return readFileSync(join(bridge.dataDir, 'apps', id, 'kv.json'), 'utf8');
      } catch {
        return '';
      }
    };
    expect(kv('alice')).toContain(Buffer.from('alice-kv-value').toString('base64'));
    expect(kv('bob')).not.toContain(Buffer.from('alice-kv-value').toString('base64'));
  });

  it('cannot read display commands or replies, even when its manifest names them', async () => {
    await show('eve');
    await client.request('apps/alice/config', { api_key: 'alice-api-key' });
    await client.publish(P('cmd/apps/alice/config'), JSON.stringify({ api_key: 'alice-api-key' }), { retain: true });
    expect(await ask('eve', `mqtt|${P('cmd/apps/alice/config')}`, 'mqtt ')).toBe('mqtt {"ok":false,"error":"unavailable"}');
    expect(await ask('eve', `mqtt|${P('response/apps/alice/config')}`, 'mqtt ')).toBe('mqtt {"ok":false,"error":"unavailable"}');
    expect(bridge.output).toContain(`app eve: permissions.mqtt names ${P('cmd/apps/alice/config')}, which no app may read`);
    await client.publish(P('cmd/apps/alice/config'), '', { retain: true });
  });
});

describe('a broker that requires a login', () => {
  let dir: string;
  let passwords: string;
  let certs: { ca: string; cert: string; key: string };
  let tlsPort: number;
  let broker: Mosquitto;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-auth-'));
    passwords = join(dir, 'passwords');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'display', 'right-password'], { stdio: 'pipe' });
    certs = makeCertificates(dir);
    // mosquitto started as root drops to its own user, which must be able to read these.
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o644);
    tlsPort = await freePort();
    broker = await Mosquitto.start({
      auth: ['allow_anonymous false', `password_file ${passwords}`],
      extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${certs.ca}`, `certfile ${certs.cert}`, `keyfile ${certs.key}`],
    });
  });

  afterAll(async () => {
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in with mqtt.username and mqtt.password, over TLS checked against mqtt.ca', async () => {
    const bridge = await startBridge({
      mqttUrl: `mqtts://127.0.0.1:${tlsPort}`,
      settings: { mqtt: { url: `mqtts://127.0.0.1:${tlsPort}`, base_topic: 'megabit', username: 'display', password: 'right-password', ca: certs.ca } },
    });
    const client = await TestClient.connect(broker.url, undefined, { username: 'display', password: 'right-password' });
    try {
      await client.subscribe(P('availability'));
      expect((await client.waitFor(P('availability'), (m) => m.payload.toString() === 'online')).retain).toBe(true);
      expect(await client.request('notify', 'over TLS')).toMatchObject({ ok: true });
      expect(bridge.output).not.toContain('right-password');
    } finally {
      await client.close();
      await bridge.dispose();
    }
  });

  it('says clearly that the login was refused, keeps retrying with backoff, and connects once it is fixed', async () => {
    const dataDir = newDataDir();
    const config = join(dataDir, 'megabit.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        data_dir: dataDir,
        mqtt: { url: broker.url, username: 'display', password: 'wrong-password' },
        http: { host: '127.0.0.1', port: await freePort() },
      }),
    );
    const brokerLogStart = broker.output.length;
    let output = '';
    const child: ChildProcess = spawn(process.execPath, [BRIDGE_CLI, '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dataDir },
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      // Refused attempts seen by the broker, by their second: the bridge retries by itself, and
      // waits longer each time. Six attempts take 0.5 + 0.5 + 1 + 2 + 4 s with the bridge's
      // backoff (see the schedule test below); a fixed 500 ms retry would make them in 2.5 s.
      const refusals = (): number[] =>
        [...broker.output.slice(brokerLogStart).matchAll(/^(\d+): Client \S+ disconnected, not authorised/gm)].map((m) => Number(m[1]));
      const deadline = Date.now() + 30_000;
      while (refusals().length < 6 && Date.now() < deadline) await delay(100);
      const seen = refusals();
      if (seen.length < 6)
        throw new Error(`the broker saw ${seen.length} refused logins; bridge said:\n${output}\nbroker said:\n${broker.output.slice(brokerLogStart)}`);
      // mosquitto's timestamps are whole seconds.
      expect(seen[5] - seen[0]).toBeGreaterThanOrEqual(6);
      expect(seen[5] - seen[4]).toBeGreaterThanOrEqual(3);
      expect(child.exitCode).toBeNull();
      const complaints = output.split('\n').filter((line) => line.includes('the broker refused the login'));
      expect(complaints[0]).toMatch(
        /WARN.*MQTT mqtt:\/\/127\.0\.0\.1:\d+: the broker refused the login \(.*\); check mqtt\.username and mqtt\.password; retrying with backoff/,
      );
      // One line for the problem, not one per attempt (six so far).
      expect(complaints).toHaveLength(1);
      expect(output).not.toContain('wrong-password');

      // The user fixes the broker side: the bridge gets in on its next attempt, by itself.
      execFileSync('mosquitto_passwd', ['-b', passwords, 'display', 'wrong-password'], { stdio: 'pipe' });
      chmodSync(passwords, 0o644);
      await broker.restart();
      const client = await TestClient.connect(broker.url, undefined, { username: 'display', password: 'wrong-password' });
      try {
        await client.subscribe(P('availability'));
        await client.waitFor(P('availability'), (m) => m.payload.toString() === 'online', 40_000);
      } finally {
        await client.close();
      }
      expect(output).toMatch(/connected to mqtt:\/\/127\.0\.0\.1:\d+ again/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  /**
   * The schedule itself, which takes over a minute and a half of real time to reach the cap: the
   * real connection class and mqtt.js against the real broker, with only the timers faked. A
   * loopback proxy in front of the broker sees each attempt arrive and the client hang up.
   */
  it('waits twice as long after each refused login, up to 30 s, and says so once', async () => {
    const attempts: number[] = [];
    let closed = 0;
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      // Date is faked: this is the moment the client's reconnect timer fired.
      attempts.push(Date.now());
      const upstream = connectTcp(broker.port, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
      }
      // When the broker hangs up, the pipe only half-closes towards the client: the client's
      // side reports 'close' once the client itself has closed.
      client.pipe(upstream).pipe(client);
      client.on('close', () => {
        upstream.destroy();
        closed++;
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;
    const warnings: string[] = [];
    const log = createLogger('debug', 'mqtt', (level: Level, _component, message) => void (level === 'warn' && warnings.push(message)));
    /** Real-time wait (I/O is real) for `condition`, while the fake clock stands still. */
    const until = async (condition: () => boolean, what: string): Promise<void> => {
      const give = process.hrtime.bigint() + 10_000_000_000n;
      while (!condition()) {
        if (process.hrtime.bigint() > give) throw new Error(`no ${what} within 10 s; attempts so far at ${attempts.join(', ')}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
    const connection = new MqttConnection(
      { url: `mqtt://127.0.0.1:${proxyPort}`, clientId: 'backoff-schedule', login: { username: 'display', password: 'not-the-password' }, keepaliveS: 30 },
      new DeviceTopics(),
      log,
    );
    try {
      void connection.start();
      const ATTEMPTS = 11;
      for (let i = 1; i <= ATTEMPTS; i++) {
        await until(() => attempts.length >= i, `connection attempt ${i}`);
        // The client has handled the refusal and closed once the proxy sees it hang up; its
        // reconnect timer is then the only timer left.
        await until(() => closed >= i, `hang-up after attempt ${i}`);
        if (i < ATTEMPTS) jest.advanceTimersToNextTimer();
      }
      const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
      // 500 ms at first, never shorter than the wait before, at most doubled, capped at 30 s.
      expect(gaps[0]).toBe(500);
      gaps.slice(1).forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(gaps[i]);
        expect(gap).toBeLessThanOrEqual(Math.max(2 * gaps[i], 500));
      });
      expect(new Set(gaps)).toEqual(new Set([500, 1000, 2000, 4000, 8000, 16_000, 30_000]));
      // The cap holds once reached.
      expect(gaps.slice(-2)).toEqual([30_000, 30_000]);
      // One warning for all eleven refusals, that says what to fix.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/the broker refused the login \(.*\); check mqtt\.username and mqtt\.password; retrying with backoff/);
    } finally {
      await connection.stop();
      jest.useRealTimers();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
