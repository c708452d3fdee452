/**
 * The controller's wiring: parts start in order and stop in reverse; a part failing to start
 * stops those already started (and itself); a part failing to stop does not keep the others
 * running; and the real parts, built and run the way the controller does (against mosquitto,
 * with display hardware configured and Home Assistant on), leave no bus listener, MQTT subscription or
 * connection callback behind once stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceTopics, OUT } from '@megabit/contract';
import { settingsFrom, type Settings } from '../src/config';
import { Controller } from '../src/controller';
import { PartSequence, type Part } from '../src/part';
import { bridgeParts, createPartContext, type PartContext } from '../src/parts';
import { recordingLog } from './helpers/logs';
import { Mosquitto } from './helpers/mosquitto';
import { TestClient } from './helpers/mqtt-client';
import { freePort, waitUntil } from './helpers/ports';

jest.setTimeout(30_000);

/** A part that writes what happens to it into `calls`, and fails where told to. */
function fakePart(name: string, calls: string[], fail: { start?: boolean; stop?: boolean } = {}): Part {
  return {
    name,
    async start() {
      calls.push(`start ${name}`);
      if (fail.start) throw new Error(`${name} cannot start`);
    },
    stop() {
      calls.push(`stop ${name}`);
      if (fail.stop) throw new Error(`${name} cannot stop`);
    },
  };
}

describe('PartSequence', () => {
  it('starts parts in order and stops them in reverse, once', async () => {
    const calls: string[] = [];
    const sequence = new PartSequence(recordingLog().log);
    await sequence.start(['a', 'b', 'c'].map((n) => fakePart(n, calls)));
    await sequence.stop();
    await sequence.stop();
    expect(calls).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('a part failing to start stops itself and the parts started before it; later ones never start', async () => {
    const calls: string[] = [];
    const sequence = new PartSequence(recordingLog().log);
    const parts = [fakePart('a', calls), fakePart('b', calls), fakePart('c', calls, { start: true }), fakePart('d', calls)];
    await expect(sequence.start(parts)).rejects.toThrow('c cannot start');
    expect(calls).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    await sequence.stop();
    expect(calls).toHaveLength(6);
  });

  it('a part failing to stop is logged and the others still stop', async () => {
    const calls: string[] = [];
    const { log, lines } = recordingLog();
    const sequence = new PartSequence(log);
    await sequence.start([fakePart('a', calls), fakePart('b', calls, { stop: true }), fakePart('c', calls)]);
    await sequence.stop();
    expect(calls.slice(3)).toEqual(['stop c', 'stop b', 'stop a']);
    expect(lines).toContainEqual({ level: 'warn', message: 'stopping b failed: b cannot stop' });
  });
});

/** Everything a part can register and must take back on stop, counted on the real objects. */
function registrations(ctx: PartContext): Record<string, number> {
  const emitter = ctx.bus['emitter'];
  return {
    busListeners: emitter.eventNames().reduce((sum, event) => sum + emitter.listenerCount(event), 0),
    busOwners: ctx.bus['byOwner'].size,
    mqttSubscriptions: ctx.mqtt['subscriptions'].size,
    mqttConnectListeners: ctx.mqtt['connectListeners'].size,
    mqttDisconnectListeners: ctx.mqtt['disconnectListeners'].size,
    appStoreListeners: ctx.device['store'].listenerCount('changed'),
    frameListeners: ctx.frames['frameListeners'].length,
    iconListeners: ctx.icons['listeners'].size,
  };
}

describe('the bridge parts as the controller runs them', () => {
  let dataDir: string;
  let broker: Mosquitto;

  beforeAll(async () => {
    broker = await Mosquitto.start();
  });

  afterAll(async () => {
    await broker.dispose();
  });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'megabit-wiring-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Every optional part on: display hardware (a port that never appears), Home Assistant, a display group, auto-brightness from a topic. */
  function settings(deviceId: string, httpPort = 0): Settings {
    return settingsFrom(
      {
        data_dir: dataDir,
        device_id: deviceId,
        groups: ['kitchen'],
        mqtt: { url: broker.url },
        http: { host: '127.0.0.1', port: httpPort },
        serial: { path: join(dataDir, 'no-such-serial-port') },
        homeassistant: { enabled: true, url: 'http://127.0.0.1:9', token: 'not-used' },
        templates: { mqtt_topics: ['home/#'] },
        display: { auto_brightness: { topic: 'home/lux' } },
      },
      'test',
      {},
    );
  }

  it('every listener, subscription and connection callback a part registers comes off on stop', async () => {
    const { log } = recordingLog();
    const ctx = createPartContext({ settings: settings('wiring'), log, exampleAppDirs: [], simulatorDir: dataDir });
    const parts = bridgeParts(ctx);
    expect(parts.map((p) => p.name)).toEqual([
      'mqtt',
      'serial',
      'templates',
      'icons',
      'device',
      'night mode',
      'mqtt connection',
      'status LED',
      'command router',
      'group notifications',
      'group presence',
      'lux topic',
      'mqtt connect',
      'state publisher',
      'event publisher',
      'app topic feed',
      'icon state publisher',
      'display state publisher',
      'http',
      'homeassistant-screen',
      'homeassistant-discovery',
      'homeassistant-group-discovery',
      'homeassistant-states',
    ]);
    const before = registrations(ctx);
    const sequence = new PartSequence(log);
    await sequence.start(parts);
    // Discovery subscribes to <prefix>/status once it has collected the stale configs.
    await waitUntil(() => ctx.mqtt['subscriptions'].has('homeassistant/status'), 'the discovery part to subscribe', 10_000);
    // A template a screen left watching: its topic subscription too comes off on stop.
    const results: unknown[] = [];
    ctx.templates.watch('{{mqtt:home/left-open}}', (r) => results.push(r));
    expect(ctx.mqtt['subscriptions'].has('home/left-open')).toBe(true);
    // The group's commands come in through the command router too.
    expect(ctx.mqtt['subscriptions'].has('megabit/group/kitchen/cmd/#')).toBe(true);
    // And the light level for auto-brightness.
    expect(ctx.mqtt['subscriptions'].has('home/lux')).toBe(true);
    const running = registrations(ctx);
    expect(running.mqttSubscriptions).toBeGreaterThanOrEqual(3);
    expect(running.mqttConnectListeners).toBeGreaterThanOrEqual(5);
    // The status LED and the frame publisher (its PNG waits for the connection).
    expect(running.mqttDisconnectListeners).toBe(2);
    expect(running.busListeners).toBeGreaterThan(0);
    expect(running.appStoreListeners).toBe(1);
    expect(running.frameListeners).toBe(1);
    expect(running.iconListeners).toBe(1);
    await sequence.stop();
    expect(registrations(ctx)).toEqual(before);
  });

  it('the controller stops what it started when a later part cannot start (HTTP port taken)', async () => {
    const httpPort = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(httpPort, '127.0.0.1', resolve));
    const topics = new DeviceTopics('megabit', 'half-started');
    const watcher = await TestClient.connect(broker.url, topics);
    try {
      const controller = new Controller({ settings: settings('half-started', httpPort), log: recordingLog().log, exampleAppDirs: [], simulatorDir: dataDir });
      await expect(controller.start()).rejects.toThrow(/HTTP \(http\.port\): port \d+ is already in use/);
      // The MQTT connection started before HTTP: it was stopped, saying offline on its way out.
      await watcher.subscribe(topics.out(OUT.availability));
      const availability = await watcher.waitFor(topics.out(OUT.availability));
      expect(availability.payload.toString()).toBe('offline');
    } finally {
      await watcher.close();
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
