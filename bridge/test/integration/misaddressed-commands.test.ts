/**
 * A command sent to a device id no display has, through the real bridge's embedded broker: the
 * bridge logs one line naming the topic it should have gone to (never the payload), and stays
 * quiet about displays that announced themselves.
 */
import { type RunningBridge, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { waitUntil } from '../helpers/ports';

jest.setTimeout(60_000);

describe('a command to an unknown device id', () => {
  let bridge: RunningBridge;
  let client: TestClient;

  beforeAll(async () => {
    bridge = await startBridge();
    client = await TestClient.connect(bridge.mqttUrl);
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
  });

  const warned = (id: string): number => (bridge.output.match(new RegExp(`no display here has device id "${id}"`, 'g')) ?? []).length;

  it('is logged with the topic this display listens on, without its payload', async () => {
    await client.publish('megabit/megabti/cmd/apps/weather/config', '{"api_key":"s3cret-key"}', { qos: 1 });
    await waitUntil(() => warned('megabti') === 1, 'the warning');
    expect(bridge.output).toContain(
      'a command on "megabit/megabti/cmd/apps/weather/config" reached no display: no display here has device id "megabti". ' +
        'This one\'s commands go to "megabit/megabit/cmd/apps/weather/config"',
    );
    expect(bridge.output).not.toContain('s3cret-key');
  });

  it('is logged once, not once per message', async () => {
    for (let i = 0; i < 5; i++) await client.publish('megabit/typo/cmd/notify', 'hello', { qos: 1 });
    // Published after the others on the same connection: once its warning is out, theirs would be too.
    await client.publish('megabit/marker-one/cmd/notify', 'hello', { qos: 1 });
    await waitUntil(() => warned('marker-one') === 1, 'the marker warning');
    expect(warned('typo')).toBe(1);
  });

  it('is not logged for a display that announced itself, nor for this one', async () => {
    const kitchen = await TestClient.connect(bridge.mqttUrl);
    try {
      await kitchen.publish('megabit/kitchen/availability', 'online', { qos: 1, retain: true });
      await client.publish('megabit/kitchen/cmd/notify', 'hello', { qos: 1 });
      await client.publish('megabit/megabit/cmd/notify', 'hello', { qos: 1 });
      await client.publish('megabit/marker-two/cmd/notify', 'hello', { qos: 1 });
      await waitUntil(() => warned('marker-two') === 1, 'the marker warning');
      expect(warned('kitchen')).toBe(0);
      expect(warned('megabit')).toBe(0);
    } finally {
      await kitchen.publish('megabit/kitchen/availability', '', { qos: 1, retain: true });
      await kitchen.close();
    }
  });
});
