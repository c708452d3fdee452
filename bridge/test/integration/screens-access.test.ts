/**
 * Who may publish screens, with the embedded broker's logins and the shipped ACL
 * (config/megabit.acl): Home Assistant may (automations and blueprints drive screens), the
 * simulator page's viewer may not, and its refused publish adds nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppStatus, DeviceTopics } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { withLoginsAndShippedAcl } from '../helpers/shipped-acl';
import { json, TestClient } from '../helpers/mqtt-client';
import { P } from '../helpers/topics';

jest.setTimeout(90_000);

const HA = { username: 'homeassistant', password: 'ha-pass' };
const VIEWER = { username: 'viewer', password: 'viewer-pass' };

describe('screens and the shipped ACL', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    const { dataDir, broker } = await withLoginsAndShippedAcl([HA, VIEWER]);
    bridge = await startBridge({ dataDir, broker, settings: { rotation: { enabled: false } } });
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it('lets Home Assistant publish a screen and read the reply', async () => {
    const ha = await TestClient.connect(bridge.mqttUrl, new DeviceTopics(), { ...HA, protocolVersion: 5 });
    try {
      expect(await ha.request('screens/from-ha', { text: 'from HA' })).toMatchObject({ ok: true, id: 'from-ha' });
      expect(await ha.request('screens/from-ha', { text: 'from HA', colour: '#ffffff' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: 'unknown field "colour"' },
      });
    } finally {
      await ha.close();
    }
  });

  it('refuses the viewer: PUBACK "not authorized", no screen added', async () => {
    const viewer = await TestClient.connect(bridge.mqttUrl, new DeviceTopics(), { ...VIEWER, protocolVersion: 5 });
    try {
      const refused = await viewer.client.publishAsync(P('cmd/screens/sneaky'), '{"text":"x"}', { qos: 1 }).then(
        () => undefined,
        (e: { code?: number }) => e.code,
      );
      expect(refused).toBe(0x87);
      // The viewer reads P/state/apps: the refused screen is not there, the allowed one is.
      await viewer.subscribe(P('state/apps'));
      const apps = json<AppStatus[]>((await viewer.waitFor(P('state/apps'))).payload);
      expect(apps.map((a) => a.id)).toEqual(['from-ha']);
      expect(Object.keys(JSON.parse(readFileSync(join(bridge.dataDir, 'screens.json'), 'utf8')).screens)).toEqual(['from-ha']);
    } finally {
      await viewer.close();
    }
  });
});
