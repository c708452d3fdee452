/**
 * An app whose config schema has a catastrophic-backtracking pattern (`^(a+)+$`), sent a long
 * config value over MQTT, in the real bridge. Before, Ajv ran the pattern with JavaScript's
 * RegExp on the main thread and MQTT and HTTP froze for minutes. Now the config gets a clear
 * error reply, a notification sent right after it is answered too, the page answers, and the
 * bridge stays online.
 */
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { expectStillOnline } from '../helpers/still-online';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';

jest.setTimeout(60_000);

const EVIL = '^(a+)+$';
/** Far past what a backtracking engine can answer: 2^40 steps and more. */
const LONG_VALUE = `${'a'.repeat(40_000)}!`;

let bridge: RunningBridge;
let client: TestClient;

beforeAll(async () => {
  const dataDir = newDataDir();
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: EVIL },
      tags: { type: 'object', patternProperties: { [EVIL]: { type: 'integer' } }, additionalProperties: false },
    },
  };
  writeApp(dataDir, probeManifest('evil', { config: schema }), await buildProbeApp());
  bridge = await startBridge({ dataDir, settings: { rotation: { enabled: false } } });
  client = await TestClient.connect(bridge.mqttUrl);
  await client.subscribe('megabit/megabit/response/#');
});

afterAll(async () => {
  await client?.close();
  await bridge?.dispose();
});

it.each([
  ['pattern', { name: LONG_VALUE }, `config.name must match pattern "${EVIL}"`],
  ['patternProperties', { tags: { [LONG_VALUE]: 1 } }, `unknown field "config.tags.${LONG_VALUE}"`],
])('a "%s" that backtracks exponentially gets an error reply, and a notification sent after it is answered', async (_keyword, config, message) => {
  const configReply = client.request('apps/evil/config', config, 30_000);
  const notifyReply = client.request('notify', { text: 'after the config' }, 30_000);
  const page = fetch(`${bridge.httpUrl}/simulator-config.json`).then((r) => r.status);
  expect(await configReply).toMatchObject({ ok: false, error: { code: 'invalid_payload', message } });
  expect(await notifyReply).toMatchObject({ ok: true });
  expect(await page).toBe(200);
  await expectStillOnline(bridge);
});

it('a value that matches is stored', async () => {
  expect(await client.request('apps/evil/config', { name: 'aaaa' })).toMatchObject({ ok: true, fields: ['name'] });
});
