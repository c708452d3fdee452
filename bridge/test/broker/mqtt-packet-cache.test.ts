/**
 * The embedded broker writes packets without mqtt-packet's number cache (65 536 Buffers, ~6 MB),
 * whoever writes first: here a client that is not the bridge's own, with a QoS 1 exchange, so
 * message ids are written both ways. aedes is an ES module, which jest cannot load: the broker
 * runs from the build in a plain Node process, as the bridge runs it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI, REPO_ROOT } from '../helpers/bridge-process';
import { freePort } from '../helpers/ports';

const DIST = join(BRIDGE_CLI, '..');

/**
 * Starts the built broker, runs the exchange and prints, for every copy of mqtt-packet's number
 * module the process loaded (aedes's and mqtt.js's, one hoisted copy or more), how many entries
 * its cache holds.
 */
const SCRIPT = `
const { EmbeddedBroker } = require(${JSON.stringify(join(DIST, 'broker', 'embedded-broker.js'))});
const { createLogger } = require(${JSON.stringify(join(DIST, 'util', 'logger.js'))});
const mqtt = require('mqtt');
const [port, wsPort] = process.argv.slice(1).map(Number);
(async () => {
  const broker = new EmbeddedBroker({
    host: '127.0.0.1', port, wsPort, maxPacketBytes: 1 << 20,
    retained: { maxMessages: 100, maxBytes: 1 << 20 }, sysTopics: false,
    access: { allowAnonymous: true }, bridgeClientId: 'megabit-test-bridge',
  }, createLogger('error', 'test'));
  await broker.start();
  const client = await mqtt.connectAsync('mqtt://127.0.0.1:' + port, { protocolVersion: 4, reconnectPeriod: 0 });
  await client.subscribeAsync('cache/test', { qos: 1 });
  const arrived = new Promise((resolve) => client.on('message', (_t, payload) => resolve(payload.toString())));
  await client.publishAsync('cache/test', 'hello', { qos: 1 });
  const payload = await arrived;
  const copies = Object.keys(require.cache)
    .filter((file) => file.endsWith('/mqtt-packet/numbers.js'))
    .map((file) => Object.keys(require.cache[file].exports.cache).length);
  await client.endAsync();
  await broker.stop();
  process.stdout.write(JSON.stringify({ payload, copies }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

it('a QoS 1 exchange through the embedded broker builds no number cache in any mqtt-packet copy', async () => {
  const ports = [await freePort(), await freePort()];
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT, ...ports.map(String)], { cwd: REPO_ROOT, timeout: 20_000 });
  const result = JSON.parse(stdout) as { payload: string; copies: number[] };
  expect(result.payload).toBe('hello');
  // At least one copy was loaded (else the check below would prove nothing), and each is empty.
  expect(result.copies.length).toBeGreaterThan(0);
  expect(result.copies.every((entries) => entries === 0)).toBe(true);
});
