/** Display groups in tests: several real bridges on one broker, and requests that every member answers. */
import { type GroupTopics, OUT } from '@megabit/contract';
import { startBridge, type BridgeOptions, type RunningBridge } from './bridge-process';
import { json, type TestClient } from './mqtt-client';

export interface GroupReply {
  ok: boolean;
  device_id: string;
  group: string;
  transaction?: string;
  id?: string;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/**
 * Starts `count` bridges named d1, d2, ... on `mqttUrl`, each in `groups(index)`, with what a
 * group test needs and little else: one simple app, no rotation, no Home Assistant.
 */
export async function startMembers(
  count: number,
  mqttUrl: string,
  groups: (index: number) => string[],
  extra: (index: number) => Partial<BridgeOptions> = () => ({}),
): Promise<RunningBridge[]> {
  const members: RunningBridge[] = [];
  // Two at a time: the suite shares two cores, and each start loads an app in a worker.
  for (let i = 0; i < count; i += 2) {
    const batch = Array.from({ length: Math.min(2, count - i) }, (_, k) => i + k);
    members.push(
      ...(await Promise.all(
        batch.map((index) =>
          startBridge({
            mqttUrl,
            deviceId: `d${index + 1}`,
            apps: ['clock'],
            ...extra(index),
            settings: { groups: groups(index), rotation: { enabled: false }, homeassistant: { enabled: false }, ...extra(index).settings },
          }),
        ),
      )),
    );
  }
  return members;
}

let sequence = 0;

/**
 * Sends `payload` to the group's `path` with a fresh transaction and resolves with the replies
 * of `expected` members on the group's response topic (one each), sorted by device id.
 */
export async function groupRequest(
  client: TestClient,
  group: GroupTopics,
  path: string,
  payload: Record<string, unknown>,
  expected: number,
  timeoutMs = 20_000,
): Promise<GroupReply[]> {
  await client.subscribe(group.response(path));
  const transaction = `g${++sequence}-${Date.now()}`;
  const since = client.messages.length;
  await client.publish(group.cmd(path), JSON.stringify({ ...payload, transaction }));
  return groupReplies(client, group, path, transaction, expected, since, timeoutMs);
}

/** The replies with `transaction` on the group's `path`, once `expected` members have answered. */
export async function groupReplies(
  client: TestClient,
  group: GroupTopics,
  path: string,
  transaction: string | undefined,
  expected: number,
  since: number,
  timeoutMs = 20_000,
): Promise<GroupReply[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const replies = client
      .on(group.response(path), since)
      .map((m) => json<GroupReply>(m.payload))
      .filter((r) => r.transaction === transaction);
    if (replies.length >= expected) return replies.sort((a, b) => a.device_id.localeCompare(b.device_id));
    if (Date.now() > deadline) throw new Error(`${replies.length} of ${expected} replies on ${group.response(path)} within ${timeoutMs} ms`);
    await client.waitFor(group.response(path), () => true, Math.max(1, deadline - Date.now()), client.messages.length).catch(() => undefined);
  }
}

/** Waits until every member's `P/state` shows `notification` (an id, or null for none). */
export async function waitForNotification(client: TestClient, members: readonly RunningBridge[], notification: string | null, since = 0): Promise<void> {
  await Promise.all(
    members.map((m) =>
      client.waitFor(m.topics.out(OUT.state), (msg) => json<{ notification: string | null }>(msg.payload).notification === notification, 20_000, since),
    ),
  );
}
