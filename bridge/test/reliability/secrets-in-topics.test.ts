/**
 * App config holds API keys: nothing the bridge publishes carries them. A client subscribed to
 * `#` on the real bridge's broker watches while an app's config is set, refused, broken on disk,
 * and while data reaches the app; only the command topics the user's own client published may
 * hold the secrets (who may read those is the broker ACL's business, see docs/security.md).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';
import { P } from '../helpers/topics';

jest.setTimeout(60_000);

const SECRETS = ['sk-live-SECRET-ONE', 'xx-SECRET-TWO', 'SECRET-THREE', 'SECRET-FOUR'];

let bridge: RunningBridge;
let client: TestClient;

beforeAll(async () => {
  const dataDir = newDataDir();
  const config = {
    type: 'object',
    properties: { api_key: { type: 'string', pattern: '^sk-' }, city: { type: 'string', default: 'Berlin' } },
    additionalProperties: false,
  };
  writeApp(dataDir, probeManifest('weather', { config }), await buildProbeApp());
  bridge = await startBridge({ dataDir, settings: { rotation: { enabled: false } } });
  client = await TestClient.connect(bridge.mqttUrl);
  await client.subscribe('#');
}, 120_000);

afterAll(async () => {
  await client?.close();
  await bridge?.dispose();
});

it('config values, refused values, a broken config file and app data never appear outside P/cmd', async () => {
  const set = await client.request('apps/weather/config', { api_key: SECRETS[0] });
  expect(set).toMatchObject({ ok: true, id: 'weather', fields: ['api_key', 'city'] });

  const refused = await client.request('apps/weather/config', { api_key: SECRETS[1] });
  expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: 'config.api_key must match pattern "^sk-"' } });

  // A hand edit that breaks the file: the app fails, and P/state/apps says why without quoting it.
  const since = client.messages.length;
  writeFileSync(join(bridge.dataDir, 'apps', 'weather', 'config.json'), `{"api_key": ${SECRETS[2]}}`);
  const failed = await client.waitFor(P('state/apps'), (m) => m.payload.toString().includes('"failed"'), 15_000, since);
  const [status] = JSON.parse(failed.payload.toString()) as Array<{ error: string }>;
  // V8 quotes the text around the problem in its message: the bridge passes on no more than where it is.
  expect(status.error).toMatch(/config\.json is not valid JSON( \(line \d+, column \d+\))?$/);

  const data = await client.request('apps/weather/data', SECRETS[3]);
  expect(data).toMatchObject({ ok: true, bytes: SECRETS[3].length });

  await client.request('screen');
  const leaks = client.messages
    .filter((m) => !m.topic.startsWith(P('cmd/')))
    .filter((m) => SECRETS.some((s) => m.payload.includes(s)))
    .map((m) => m.topic);
  expect(leaks).toEqual([]);
  // The bridge's own log (debug level) does not carry them either.
  expect(SECRETS.filter((s) => bridge.output.includes(s))).toEqual([]);
  // The client did see its own commands: the check above looked at real traffic.
  expect(client.messages.filter((m) => m.topic.startsWith(P('cmd/'))).length).toBeGreaterThanOrEqual(3);
});
