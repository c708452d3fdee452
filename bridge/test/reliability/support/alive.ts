/** What "the bridge survived" means in the containment tests, measured from outside its process. */
import { readFileSync } from 'node:fs';
import type { RunningBridge } from '../../helpers/bridge-process';
import { TestClient } from '../../helpers/mqtt-client';

/**
 * The process is running and a client connecting now finds `P/availability` retained as
 * `online`, and gets an answer to a command.
 */
export async function expectOnline(bridge: RunningBridge): Promise<void> {
  expect(bridge.running).toBe(true);
  const fresh = await TestClient.connect(bridge.mqttUrl);
  try {
    const topic = `${bridge.baseTopic}/${bridge.deviceId}/availability`;
    await fresh.subscribe(topic);
    const retained = await fresh.waitFor(topic, (m) => m.retain, 10_000);
    expect(retained.payload.toString()).toBe('online');
    expect(await fresh.request('notify', { text: 'still here' })).toMatchObject({ ok: true });
  } finally {
    await fresh.close();
  }
}

/** The highest resident set size the process ever had (VmHWM), in bytes. */
export function peakRssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  if (!line) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(/(\d+)\s*kB/.exec(line)![1]) * 1024;
}
