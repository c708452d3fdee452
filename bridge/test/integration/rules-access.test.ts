/**
 * Schedules and conditions behind the shipped ACL, on the bridge process with its embedded
 * broker: Home Assistant's login sets them and reads the replies; the simulator page's viewer may
 * not, and its refused publish changes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppStatus, DeviceTopics } from '@megabit/contract';
import { installExample, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { json, TestClient } from '../helpers/mqtt-client';
import { withLoginsAndShippedAcl } from '../helpers/shipped-acl';
import { P } from '../helpers/topics';

jest.setTimeout(90_000);

const HA = { username: 'homeassistant', password: 'ha-pass' };
const VIEWER = { username: 'viewer', password: 'viewer-pass' };

describe('schedules, show_when and pin_when behind the shipped ACL', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    const { dataDir, broker } = await withLoginsAndShippedAcl([HA, VIEWER]);
    installExample(dataDir, 'life');
    bridge = await startBridge({ dataDir, broker, settings: { rotation: { enabled: false } } });
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it('lets Home Assistant set them and read the replies, with the same errors as anyone', async () => {
    const ha = await TestClient.connect(bridge.mqttUrl, new DeviceTopics(), { ...HA, protocolVersion: 5 });
    try {
      expect(await ha.request('apps/life/schedule', { days: ['sat', 'sun'] })).toMatchObject({ ok: true, id: 'life', visible: expect.any(Boolean) });
      expect(await ha.request('apps/life/pin_when', { entity: 'binary_sensor.doorbell', state: 'on' })).toMatchObject({ ok: true, id: 'life' });
      expect(await ha.request('apps/life/show_when', { topic: 'home/door', equals: 'open' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: expect.stringContaining('templates.mqtt_topics') },
      });
      expect(await ha.request('apps/life/schedule', { from: '7:00', to: '08:00' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: expect.stringContaining('"schedule.from"') },
      });
    } finally {
      await ha.close();
    }
  });

  it('refuses the viewer: PUBACK "not authorized", the rules unchanged', async () => {
    const file = join(bridge.dataDir, 'rules.json');
    expect(existsSync(file)).toBe(true);
    const before = readFileSync(file, 'utf8');
    const viewer = await TestClient.connect(bridge.mqttUrl, new DeviceTopics(), { ...VIEWER, protocolVersion: 5 });
    try {
      for (const rule of ['schedule', 'show_when', 'pin_when']) {
        const refused = await viewer.client.publishAsync(P(`cmd/apps/life/${rule}`), 'null', { qos: 1 }).then(
          () => undefined,
          (e: { code?: number }) => e.code,
        );
        expect({ rule, refused }).toEqual({ rule, refused: 0x87 });
      }
      // The viewer reads P/state/apps, with each entry's visibility.
      await viewer.subscribe(P('state/apps'));
      const apps = json<AppStatus[]>((await viewer.waitFor(P('state/apps'))).payload);
      expect(apps).toEqual([expect.objectContaining({ id: 'life', visible: expect.any(Boolean) })]);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(Object.keys(JSON.parse(before).apps.life).sort()).toEqual(['pin_when', 'schedule']);
    } finally {
      await viewer.close();
    }
  });
});
