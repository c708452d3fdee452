/** The proof every attack test ends with: the bridge process is alive and says `online`. */
import { OUT } from '@megabit/contract';
import type { IClientOptions } from 'mqtt';
import type { RunningBridge } from './bridge-process';
import { TestClient } from './mqtt-client';

export async function expectStillOnline(bridge: RunningBridge, options: IClientOptions = {}): Promise<void> {
  expect(bridge.running).toBe(true);
  // A fresh client: the retained availability is what any newcomer sees, now.
  const client = await TestClient.connect(bridge.mqttUrl, bridge.topics, options);
  try {
    const topic = bridge.topics.out(OUT.availability);
    await client.subscribe(topic);
    expect((await client.waitFor(topic, () => true, 10_000)).payload.toString()).toBe('online');
  } finally {
    await client.close();
  }
}
