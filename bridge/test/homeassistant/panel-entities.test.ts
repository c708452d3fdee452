/**
 * With a serial display configured, as Home Assistant sees it on mosquitto: availability of each
 * entity worked out from the retained messages the way its MQTT integration does (every entry's
 * payload through its template, `availability_mode: all`), and the firmware update entity's state
 * rendered from the real `P/state/display`.
 */
import { SHIPPED_FIRMWARE } from '../../src/homeassistant/firmware-release';
import { VERSION } from '../../src/version';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { deviceDiscoveryProblems } from '../helpers/homeassistant/discovery-schema';
import { renderTemplate } from '../helpers/homeassistant/ha-template';
import { DEVICE_TOPICS as P } from '../helpers/topics';

const DEVICE = 'homeassistant/device/megabit_megabit/config';
type Component = Record<string, unknown>;

/** Home Assistant's rule: each entry is available when its (templated) payload is payload_available. */
function available(component: Component, latest: (topic: string) => string | undefined): boolean {
  const entries = component.availability as Array<{ topic: string; value_template?: string; payload_available?: string }>;
  const states = entries.map((entry) => {
    const payload = latest(entry.topic);
    if (payload === undefined) return false;
    const value = entry.value_template ? renderTemplate(entry.value_template, payload) : payload;
    return value === (entry.payload_available ?? 'online');
  });
  return component.availability_mode === 'all' ? states.every(Boolean) : states.some(Boolean);
}

describe('entities with the panel unplugged', () => {
  let broker: Mosquitto;
  let ha: TestClient;
  let bridge: InProcessBridge;
  let cmps: Record<string, Component>;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    ha = await TestClient.connect(broker.url, P);
    await ha.subscribe([DEVICE, P.out('availability'), P.out('state/display')]);
    bridge = await startInProcess(broker.url, { apps: ['clock'], settings: { serial: { path: '/dev/ttyMEGABIT-absent' } } });
    const config = JSON.parse((await ha.waitFor(DEVICE)).payload.toString()) as Record<string, unknown>;
    expect(deviceDiscoveryProblems(DEVICE, config, 'homeassistant')).toEqual([]);
    cmps = config.cmps as Record<string, Component>;
    await ha.waitFor(P.out('availability'), (m) => m.payload.toString() === 'online');
    await ha.waitFor(P.out('state/display'), (m) => JSON.parse(m.payload.toString()).transport === 'serial');
  });

  afterAll(async () => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
  });

  const latest = (topic: string): string | undefined => ha.on(topic).pop()?.payload.toString();

  it('the light and the screen are unavailable; what works without the panel is available', () => {
    expect(JSON.parse(latest(P.out('state/display'))!)).toMatchObject({ connected: false });
    expect(available(cmps.display, latest)).toBe(false);
    expect(available(cmps.screen, latest)).toBe(false);
    for (const key of ['app', 'notification', 'rotation', 'next_app', 'current_app', 'firmware']) {
      expect({ key, available: available(cmps[key], latest) }).toEqual({ key, available: true });
    }
  });

  it('with the panel connected, the same availability says available', () => {
    const connected = JSON.stringify({ ...JSON.parse(latest(P.out('state/display'))!), connected: true, firmware_version: '0.1.0' });
    const withPanel = (topic: string): string | undefined => (topic === P.out('state/display') ? connected : latest(topic));
    expect(available(cmps.display, withPanel)).toBe(true);
    expect(available(cmps.screen, withPanel)).toBe(true);
  });

  it('the firmware update entity: no install button, no installed version until the device says HELLO', () => {
    const update = cmps.firmware;
    expect(update).toMatchObject({ p: 'update', device_class: 'firmware', state_topic: P.out('state/display') });
    expect(update.command_topic).toBeUndefined();
    const state = JSON.parse(renderTemplate(update.value_template as string, latest(P.out('state/display'))!)) as Record<string, unknown>;
    expect(state).toEqual({ latest_version: SHIPPED_FIRMWARE.version, title: SHIPPED_FIRMWARE.title, release_summary: SHIPPED_FIRMWARE.summary });
  });

  it("the bridge's own version is on the device", () => {
    const config = JSON.parse(latest(DEVICE)!) as { dev: Record<string, unknown> };
    expect(config.dev.sw_version).toBe(VERSION);
  });

  it('the bridge stopping makes everything unavailable (its last will)', async () => {
    await bridge.stop();
    await ha.waitFor(P.out('availability'), (m) => m.payload.toString() === 'offline');
    for (const [key, component] of Object.entries(cmps)) {
      if (component.p === 'device_automation') continue;
      expect({ key, available: available(component, latest) }).toEqual({ key, available: false });
    }
  });
});
