/**
 * The `megabit-device` config node's shared connection, against mosquitto and a real bridge
 * using it: one MQTT client for all the nodes of a device, and a status on every node that
 * follows the bridge's availability and the broker connection.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { Mosquitto } from '../../bridge/test/helpers/mosquitto';
import { Collector, deviceConfig, flow, helper, linkOf, NODES, until } from './helpers/node-red';

let broker: Mosquitto;
let bridge: RunningBridge;

beforeAll(async () => {
  broker = await Mosquitto.start();
  bridge = await startBridge({ mqttUrl: broker.url, deviceId: 'status-test' });
  await helper.startServer();
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  await helper.stopServer();
  await bridge?.dispose();
  await broker?.dispose();
});

interface StatusMsg {
  status: { fill?: string; shape?: string; text?: string; source: { id: string } };
}

test('all nodes of a device share one connection and show the bridge availability', async () => {
  await helper.load(NODES, flow(
    deviceConfig('dev', { broker: broker.url, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId }),
    { id: 'note', type: 'megabit notify', device: 'dev', wires: [[]] },
    { id: 'press', type: 'megabit button', device: 'dev', wires: [[]] },
    { id: 'watch', type: 'megabit state', device: 'dev', wires: [[]] },
    { id: 'status-of-note', type: 'status', scope: ['note', 'press'], wires: [['statuses']] },
    { id: 'statuses', type: 'helper' },
  ));
  const statuses = new Collector('statuses');
  const seen = (id: string, fill: string, shape: string, text: string, since: number): Promise<unknown> =>
    statuses.next((m) => {
      const { status } = m as unknown as StatusMsg;
      return status.source.id === id && status.fill === fill && status.shape === shape && status.text === text;
    }, 15_000, since);

  await seen('note', 'green', 'dot', 'online', 0);
  await seen('press', 'green', 'dot', 'online', 0);
  const clients = broker.output.match(/New client connected from \S+ as megabit-nr-\w+/g) ?? [];
  expect(clients).toHaveLength(1);

  let since = statuses.messages.length;
  await bridge.kill();
  await seen('note', 'red', 'ring', 'offline', since);
  await seen('press', 'red', 'ring', 'offline', since);

  since = statuses.messages.length;
  await bridge.relaunch();
  await seen('note', 'green', 'dot', 'online', since);

  since = statuses.messages.length;
  await broker.stop();
  await seen('note', 'yellow', 'ring', 'connecting', since);
  await until('the link to notice', () => linkOf('dev').state === 'connecting');

  since = statuses.messages.length;
  await broker.restart();
  await seen('note', 'green', 'dot', 'online', since);
}, 60_000);

test('the broker credentials are Node-RED credentials, used for the connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'megabit-nr-auth-'));
  const passwords = join(dir, 'passwords');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', passwords, 'node-red', 's3cret'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  // mosquitto started as root reads it as the "mosquitto" user.
  chmodSync(dir, 0o755);
  chmodSync(passwords, 0o644);
  const secured = await Mosquitto.start({ auth: ['allow_anonymous false', `password_file ${passwords}`] });
  try {
    const flowNodes = flow(
      deviceConfig('good', { broker: secured.url, baseTopic: 'megabit', deviceId: 'megabit' }),
      deviceConfig('bad', { broker: secured.url, baseTopic: 'megabit', deviceId: 'megabit' }),
      { id: 'with-good', type: 'megabit state', device: 'good', wires: [[]] },
      { id: 'with-bad', type: 'megabit state', device: 'bad', wires: [[]] },
    );
    await helper.load(NODES, flowNodes, {
      good: { username: 'node-red', password: 's3cret' },
      bad: { username: 'node-red', password: 'wrong' },
    });
    expect(JSON.stringify(flowNodes)).not.toContain('s3cret');
    // Connected (no bridge on this broker, so "offline"), while the wrong password keeps retrying.
    await until('the good credentials to connect', () => linkOf('good').state === 'offline');
    await until('the broker to refuse the wrong password', () => /not authori[sz]ed/i.test(secured.output));
    expect(linkOf('bad').state).toBe('connecting');
    expect(secured.output).toMatch(/as megabit-nr-\w+ \(.*u'node-red'\)/);
  } finally {
    await helper.unload();
    await secured.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
