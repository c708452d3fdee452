/**
 * `online` means commands reach the bridge: the bridge subscribes to its command topics before it
 * announces itself, on its first connect as on every reconnect, so a client that sends a command
 * the moment it sees `online` is answered. Read from Debian mosquitto's own log of what it received.
 */
import { startBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient } from '../helpers/mqtt-client';

jest.setTimeout(60_000);

/** Line numbers in mosquitto's log where the bridge subscribed to its commands and announced `online`. */
function order(log: string): { subscribed: number[]; online: number[] } {
  const lines = log.split('\n');
  const subscribed: number[] = [];
  const online: number[] = [];
  lines.forEach((line, i) => {
    if (/^\S*\s*megabit\/megabit\/cmd\/# \(QoS 1\)/.test(line.trim())) subscribed.push(i);
    if (line.includes('Received PUBLISH') && line.includes("'megabit/megabit/availability'") && lines[i]!.includes('(6 bytes)')) online.push(i);
  });
  return { subscribed, online };
}

it('subscribes to its commands before it announces online', async () => {
  const broker = await Mosquitto.start({ extraConfig: ['log_type all', 'log_dest stdout'] });
  const bridge = await startBridge({ mqttUrl: broker.url, apps: ['clock'], settings: { rotation: { enabled: false } } });
  const client = await TestClient.connect(broker.url);
  try {
    await client.subscribe('megabit/megabit/availability');
    await client.waitFor('megabit/megabit/availability', (m) => m.payload.toString() === 'online', 15_000);
    // The moment it is online, a command is answered.
    expect(await client.request('notify', 'hello')).toMatchObject({ ok: true });
    const first = order(broker.output);
    expect(first.subscribed.length).toBeGreaterThan(0);
    expect(first.online.length).toBeGreaterThan(0);
    expect(first.subscribed[0]).toBeLessThan(first.online[0]!);
  } finally {
    await client.close();
    await bridge.dispose();
    await broker.dispose();
  }
});
