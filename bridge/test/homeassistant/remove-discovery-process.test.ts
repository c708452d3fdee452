/**
 * `megabit --remove-discovery` as a user runs it (`node bridge/dist/cli.js`, built by
 * `npm run build`): after a bridge has published its discovery configs on mosquitto and stopped,
 * the command clears exactly that display's configs and leaves every other retained message of
 * the broker as it was.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceTopics } from '@megabit/contract';
import { buildDiscoveryConfigs } from '../../src/homeassistant/discovery-configs';
import { BRIDGE_CLI, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { freePort } from '../helpers/ports';

jest.setTimeout(60_000);

const OUR_CONFIG = /^homeassistant\/(device\/megabit_megabit|[^/]+\/megabit_megabit\/[^/]+)\/config$/;
const OUR_DEVICE = 'homeassistant/device/megabit_megabit/config';
// A single-component config an earlier version left and this one would hand over on start.
const LEFT_OVER = 'homeassistant/sensor/megabit_megabit/fps/config';

interface CliRun {
  code: number | null;
  output: string;
}

/** Runs the built CLI to its end; a run that hangs fails the test instead of the suite. */
function runCli(args: string[], home: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BRIDGE_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: home } });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`megabit ${args.join(' ')} did not exit within 20 s:\n${output}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Every retained message the broker holds, topic → payload. mosquitto queues the retained
 * messages of a subscription before anything published after it, so once our own marker comes
 * back, all of them have arrived.
 */
async function retainedOn(url: string): Promise<Map<string, string>> {
  const client = await TestClient.connect(url);
  try {
    await client.subscribe('#');
    const marker = `megabit-test/marker/${Date.now()}`;
    await client.publish(marker, 'end');
    await client.waitFor(marker);
    return new Map(client.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload.toString()]));
  } finally {
    await client.close();
  }
}

describe('megabit --remove-discovery against mosquitto', () => {
  let broker: Mosquitto;
  let bridge: RunningBridge;
  let seeded: string;
  const others = new Map<string, string>();

  beforeAll(async () => {
    broker = await Mosquitto.start();
    // What else lives on a shared broker: a second Megabit display, another vendor's device,
    // and a topic that only looks like a config of ours.
    const kitchen = buildDiscoveryConfigs(
      { discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'kitchen', version: '0.0.0' },
      new DeviceTopics('megabit', 'kitchen'),
      [{ id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' }],
    );
    for (const c of kitchen) others.set(c.topic, JSON.stringify(c.payload));
    others.set('homeassistant/sensor/weather_station/temperature/config', '{"name":"Temperature","state_topic":"weather/t"}');
    others.set('homeassistant/light/megabit_megabit/display/state', 'not a config');
    const seeder = await TestClient.connect(broker.url);
    for (const [topic, payload] of others) await seeder.publish(topic, payload, { retain: true });
    await seeder.close();
    seeded = [...others.keys()][0];

    bridge = await startBridge({ mqttUrl: broker.url, apps: ['clock'] });
  });

  afterAll(async () => {
    await bridge?.dispose();
    await broker?.dispose();
  });

  it('clears every config of this display, touches nothing else, exits 0 and says how many', async () => {
    const watcher = await TestClient.connect(broker.url);
    await watcher.subscribe('homeassistant/#');
    await watcher.waitFor(OUR_DEVICE);
    expect(await bridge.stop()).toBe(0);
    // As if an older bridge had run since: its single-component config is ours to clear too.
    await watcher.publish(LEFT_OVER, '{"name":"FPS","state_topic":"megabit/megabit/state"}', { retain: true });

    const before = await retainedOn(broker.url);
    const ours = [...before.keys()].filter((t) => OUR_CONFIG.test(t)).sort();
    expect(ours).toEqual([OUR_DEVICE, LEFT_OVER]);
    expect(before.get(seeded)).toBe(others.get(seeded));
    // The stopped bridge left its retained state: it must survive the removal too.
    expect(before.get(bridge.topics.out('availability'))).toBe('offline');

    const since = watcher.messages.length;
    const run = await runCli(['--remove-discovery', '--config', join(bridge.dataDir, 'megabit.yaml')], bridge.dataDir);
    expect({ code: run.code, output: run.output }).toEqual({
      code: 0,
      output: expect.stringContaining(
        'removed 2 Home Assistant discovery config(s) (homeassistant/device/megabit_megabit/config, homeassistant/+/megabit_megabit/+/config)',
      ),
    });
    expect(run.output).not.toMatch(/ERROR|WARN/);

    // Each config was cleared with an empty message, and nothing else was published.
    const cleared = watcher.messages.slice(since);
    await watcher.close();
    expect(cleared.map((m) => m.topic).sort()).toEqual(ours);
    expect(cleared.every((m) => m.payload.length === 0)).toBe(true);

    const after = await retainedOn(broker.url);
    const expected = new Map([...before].filter(([topic]) => !OUR_CONFIG.test(topic)));
    expect(after).toEqual(expected);
    for (const [topic, payload] of others) expect(after.get(topic)).toBe(payload);
  });

  it('a second run finds nothing left to clear and still exits 0', async () => {
    const run = await runCli(['--remove-discovery', '--config', join(bridge.dataDir, 'megabit.yaml')], bridge.dataDir);
    expect(run.code).toBe(0);
    expect(run.output).toContain('removed 0 Home Assistant discovery config(s)');
  });
});

describe('megabit --remove-discovery without a broker to clear', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-remove-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unreachable external broker exits 1 with the broker named', async () => {
    const port = await freePort();
    const config = join(dir, 'external.yaml');
    writeFileSync(config, JSON.stringify({ data_dir: dir, mqtt: { url: `mqtt://127.0.0.1:${port}` } }));
    const run = await runCli(['--remove-discovery', '--config', config], dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain(`cannot reach the MQTT broker mqtt://127.0.0.1:${port}`);
  });

  it('a stopped embedded broker holds no configs: said so, exit 0', async () => {
    const port = await freePort();
    const config = join(dir, 'embedded.yaml');
    writeFileSync(config, JSON.stringify({ data_dir: dir, broker: { port } }));
    const run = await runCli(['--remove-discovery', '--config', config], dir);
    expect(run.code).toBe(0);
    expect(run.output).toContain(`the embedded broker (port ${port}) is not running, so it holds no discovery configs`);
  });
});
