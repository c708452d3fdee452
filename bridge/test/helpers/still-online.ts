/**
 * The proof every attack test ends with: the bridge process is alive, a client connecting now
 * finds `P/availability` retained as `online`, and a command gets its reply.
 */
import { OUT } from '@megabit/contract';
import type { IClientOptions } from 'mqtt';
import type { RunningBridge } from './bridge-process';
import { TestClient } from './mqtt-client';

/** `options` carry a login or TLS files where the broker asks for them. */
export async function expectStillOnline(bridge: RunningBridge, options: IClientOptions = {}): Promise<void> {
  expect(bridge.running).toBe(true);
  // A fresh client: the retained availability is what any newcomer sees, now.
  const client = await TestClient.connect(bridge.mqttUrl, bridge.topics, options);
  try {
    const topic = bridge.topics.out(OUT.availability);
    await client.subscribe(topic);
    expect((await client.waitFor(topic, (m) => m.retain, 10_000)).payload.toString()).toBe('online');
    expect(await client.request('notify', { text: 'still here' })).toMatchObject({ ok: true });
  } finally {
    await client.close();
  }
}
