/** Round-trip times of API requests, sent at a steady rate. */
import { performance } from 'node:perf_hooks';
import type { TestClient } from './mqtt-client';
import { delay } from './ports';

let sequence = 0;

/**
 * Sends `count` notifications, one every `intervalMs` whether or not earlier ones were answered
 * (open loop: a stall of the bridge delays every request sent meanwhile, not just one), and
 * returns each one's publish-to-reply time in ms. The client must be subscribed to the reply topic.
 */
export async function notifyLatencies(client: TestClient, count: number, intervalMs: number, timeoutMs = 10_000): Promise<number[]> {
  // Without it the client's own Nagle stalls (a delayed-ACK wait of ~40 ms) land in the samples.
  (client.client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
  const responseTopic = client.topics.response('notify');
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  const failures: string[] = [];
  let settle: () => void = () => undefined;
  const allAnswered = new Promise<void>((resolve) => (settle = resolve));
  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== responseTopic) return;
    const reply = JSON.parse(payload.toString()) as { ok?: boolean; transaction?: string };
    const sent = reply.transaction === undefined ? undefined : sentAt.get(reply.transaction);
    if (sent === undefined) return;
    sentAt.delete(reply.transaction!);
    if (reply.ok === true) samples.push(performance.now() - sent);
    else failures.push(payload.toString());
    if (samples.length + failures.length === count) settle();
  };
  client.client.on('message', onMessage);
  try {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = start + i * intervalMs - performance.now();
      if (wait > 0) await delay(wait);
      const transaction = `lat-${++sequence}`;
      sentAt.set(transaction, performance.now());
      void client.publish(client.topics.cmd('notify'), JSON.stringify({ text: `n${i}`, id: 'latency', duration_ms: 500, transaction })).catch(() => undefined);
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([allAnswered, timedOut]);
    clearTimeout(timer);
  } finally {
    client.client.off('message', onMessage);
  }
  if (failures.length > 0) throw new Error(`notify failed: ${failures[0]}`);
  if (samples.length < count) throw new Error(`${count - samples.length} of ${count} notifications got no reply within ${timeoutMs} ms`);
  return samples;
}
