/**
 * Display groups at scale: 20 bridges on one mosquitto, all in one group. A notification sent to
 * the group → the frame of the last of the 20 displays to show it (every display's
 * `P/display/frame` is watched for the notification's colour), against the same notification
 * sent to one display's own `P/cmd/notify` → that display's frame, measured in the same run,
 * turn about, so both see the same machine and broker load.
 */
import { CMD, DeviceTopics, GroupTopics } from '@megabit/contract';
import type { MqttClient } from 'mqtt';
import { bandColours, colourOf, connect, hex, keyOf, type Summary, summary } from './latency';
import { startBridge, type RunningBridge } from './lib/bridge';
import { type Broker, runSectionAlone } from './lib/mosquitto';
import { delay } from './lib/processes';
import { median, ratio } from './lib/stats';
import { printGroups } from './table';

const BASE = 'megabit';
const GROUP = 'bench';

export interface GroupsResult {
  displays: number;
  /** One display's own command → its frame showing the notification. */
  single_display: Summary;
  /** The group's command → the last display's frame showing it. */
  group_last_display: Summary;
  ratio_p50: number | null;
  ratio_p99: number | null;
  /** Samples where some display never showed the notification within the wait. */
  incomplete: number;
}

/** Starts the displays a few at a time: each loads an app in a worker, and the bench shares the machine. */
async function startDisplays(url: string, count: number): Promise<RunningBridge[]> {
  const displays: RunningBridge[] = [];
  for (let i = 0; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, (_, k) => i + k);
    displays.push(
      ...(await Promise.all(
        batch.map((n) =>
          startBridge({
            mqttUrl: url,
            deviceId: `g${n + 1}`,
            apps: ['clock'],
            settings: { groups: [GROUP], rotation: { enabled: false }, homeassistant: { enabled: false } },
          }),
        ),
      )),
    );
  }
  return displays;
}

/**
 * Sends one notification (colour `index`) to `topic` and resolves with the time until each of
 * `displays` published a frame showing it, or null for one that did not within `waitMs`.
 */
function showTimes(client: MqttClient, topic: string, displays: readonly string[], index: number, waitMs: number): Promise<(number | null)[]> {
  const rgb = colourOf(index);
  const key = keyOf(...rgb);
  const shownAt = new Map<string, number>();
  return new Promise((resolve) => {
    let sentAt = 0;
    const finish = (): void => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(displays.map((d) => (shownAt.has(d) ? shownAt.get(d)! - sentAt : null)));
    };
    const onMessage = (frameTopic: string, payload: Buffer): void => {
      const device = frameTopic.slice(BASE.length + 1, -'/display/frame'.length);
      if (!displays.includes(device) || shownAt.has(device) || !bandColours(payload).has(key)) return;
      shownAt.set(device, performance.now());
      if (shownAt.size === displays.length) finish();
    };
    const timer = setTimeout(finish, waitMs);
    client.on('message', onMessage);
    sentAt = performance.now();
    client.publish(topic, JSON.stringify({ text: 'Hi', id: 'bench', color: hex(rgb), duration_ms: 60_000 }), { qos: 1 });
  });
}

export async function measureGroups(broker: Broker, { displays: count = 20, samples = 40, waitMs = 5000 } = {}): Promise<GroupsResult> {
  const displays = await startDisplays(broker.url, count);
  const client = await connect(broker.url);
  const ids = displays.map((_, n) => `g${n + 1}`);
  const single: number[] = [];
  const group: number[] = [];
  let incomplete = 0;
  try {
    await client.subscribeAsync(`${BASE}/+/display/frame`, { qos: 0 });
    // Turn about: one display's own command, then the group's, each after the last has settled.
    for (let i = 0; i < samples; i++) {
      const [own] = await showTimes(client, new DeviceTopics(BASE, ids[0]).cmd(CMD.notify), [ids[0]!], 2 * i, waitMs);
      if (own == null) incomplete++;
      else single.push(own);
      await delay(300);
      const all = await showTimes(client, new GroupTopics(BASE, GROUP).cmd(CMD.notify), ids, 2 * i + 1, waitMs);
      if (all.some((t) => t == null)) incomplete++;
      else group.push(Math.max(...(all as number[])));
      await delay(300);
    }
  } finally {
    await client.endAsync(true);
    await Promise.all(displays.map((d) => d.dispose()));
  }
  const s = summary(single);
  const g = summary(group);
  return {
    displays: count,
    single_display: s,
    group_last_display: g,
    ratio_p50: ratio(median(group), s.p50_ms),
    ratio_p99: ratio(g.p99_ms, s.p99_ms),
    incomplete,
  };
}

// `node bench/dist/groups.js` measures only this (needs mosquitto and the built bridge).
if (require.main === module) {
  runSectionAlone((broker) => measureGroups(broker), printGroups);
}
