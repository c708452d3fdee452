/**
 * One cycle of the soak schedule (issue 21): everything a display meets in a day, compressed
 * into a few seconds, driven from outside over MQTT, HTTP and the page's /mqtt as users,
 * Home Assistant and the page do. The soak run (`npm run soak`) repeats it for minutes; the leak
 * test (bench/test/leaks.test.ts: the soak cut to four cycles) runs it too. Each cycle ends in the same
 * state (rotation off, the clock app chosen, no notification, the display off, the churned app installed), so
 * the bridge's resource counts taken after a cycle can be compared with the ones after the last.
 *
 * It knows the bridge only by its topics (@megabit/contract), never by its internals.
 */
import { request as httpRequest } from 'node:http';
import { type DeviceTopics, OUT } from '@megabit/contract';
import mqtt, { type MqttClient } from 'mqtt';

/** What the schedule needs of the run it is part of. */
export interface SoakTarget {
  /** The broker the bridge uses (mqtt://...). */
  brokerUrl: string;
  topics: DeviceTopics;
  /** The bridge's HTTP server (http://127.0.0.1:port): the page and its /mqtt. */
  httpUrl: string;
  /** An installed example app the cycle removes, installs and reinstalls, as `P/cmd/apps/install` takes it. */
  churnApp: { manifest: Record<string, unknown> & { id: string }; wasm: string };
  /** Kill the broker and start it again on the same port. */
  restartBroker(): Promise<void>;
  /** Cut the serial link and let the bridge find the device again (the soak run with qemu only). */
  cutSerialLink?(): Promise<void>;
}

export interface CycleReport {
  cycle: number;
  commands: number;
  /** Replies with ok:false or without a reply; the schedule sends only valid commands. */
  failures: string[];
}

/** Home Assistant's birth topic and the bridge's device-based discovery configs (docs/homeassistant.md). */
const HA_BIRTH = 'homeassistant/status';
const HA_DISCOVERY = 'homeassistant/device/+/config';
const REPLY_TIMEOUT_MS = 15_000;
/** The app every cycle ends on: its dwell and refresh are steady, so the counts after each cycle are comparable. */
export const RESTING_APP = 'clock';

/** The schedule's own MQTT client: commands with transactions and their replies. */
export class SoakClient {
  private transaction = 0;
  private readonly pending = new Map<string, (reply: Record<string, unknown>) => void>();
  private readonly watchers = new Set<(topic: string, payload: Buffer) => void>();

  private constructor(
    readonly client: MqttClient,
    private readonly topics: DeviceTopics,
  ) {
    client.on('message', (topic, payload) => {
      for (const watch of this.watchers) watch(topic, payload);
      if (!topic.startsWith(topics.response(''))) return;
      let reply: Record<string, unknown>;
      try {
        reply = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      const resolve = this.pending.get(String(reply.transaction));
      if (resolve) {
        this.pending.delete(String(reply.transaction));
        resolve(reply);
      }
    });
  }

  static async connect(url: string, topics: DeviceTopics): Promise<SoakClient> {
    // resubscribe (mqtt.js's default) puts the subscriptions back after each broker restart.
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 200, connectTimeout: 5000 });
    const soak = new SoakClient(client, topics);
    await client.subscribeAsync([topics.response('#'), topics.out(OUT.availability), HA_DISCOVERY], { qos: 1 });
    return soak;
  }

  /** Sends a command with a transaction id; resolves with its reply. */
  request(path: string, payload: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const transaction = `soak-${++this.transaction}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new Error(`no reply to ${path} (${transaction}) within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(transaction, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.client.publishAsync(this.topics.cmd(path), JSON.stringify({ ...payload, transaction }), { qos: 1 }).catch((e: Error) => {
        clearTimeout(timer);
        this.pending.delete(transaction);
        reject(e);
      });
    });
  }

  publish(topic: string, payload: string, retain = false): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  /** Resolves on the next message on `topic` (a filter with + allowed) that `match` accepts. */
  next(filter: string, match: (payload: Buffer) => boolean = () => true, timeoutMs = REPLY_TIMEOUT_MS): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.delete(watch);
        reject(new Error(`nothing on ${filter} within ${timeoutMs} ms`));
      }, timeoutMs);
      const watch = (topic: string, payload: Buffer): void => {
        if (!filterMatches(filter, topic) || !match(payload)) return;
        clearTimeout(timer);
        this.watchers.delete(watch);
        resolve(payload);
      };
      this.watchers.add(watch);
    });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (f.length !== t.length) return false;
  return f.every((level, i) => level === '+' || level === t[i]);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The module (base64) with a custom section named `name` at its end: the same app to the engine, new bytes to the bridge's module cache. */
function tagged(wasmBase64: string, name: string): string {
  const label = Buffer.from(name, 'utf8');
  const content = Buffer.concat([uleb(label.length), label]);
  return Buffer.concat([Buffer.from(wasmBase64, 'base64'), Buffer.from([0x00]), uleb(content.length), content]).toString('base64');
}

/** An unsigned LEB128 number, as WebAssembly writes sizes. */
function uleb(n: number): Buffer {
  const bytes: number[] = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    bytes.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** Runs one cycle; throws only when the bridge stops answering (a reply times out). */
export async function runSoakCycle(target: SoakTarget, client: SoakClient, cycle: number): Promise<CycleReport> {
  const failures: string[] = [];
  let commands = 0;
  const send = async (path: string, payload: Record<string, unknown> = {}): Promise<void> => {
    commands++;
    const reply = await client.request(path, payload);
    if (reply.ok !== true) failures.push(`${path}: ${JSON.stringify(reply.error)}`);
  };
  const { topics } = target;
  const appId = target.churnApp.manifest.id;

  // Apps rotating fast: the display and the rotation on, and next/previous faster than any dwell.
  await send('display', { state: 'ON' });
  await send('rotation', { enabled: true });
  for (let i = 0; i < 8; i++) {
    await send(i % 3 === 2 ? 'app/previous' : 'app/next');
    await delay(150);
  }

  // Notifications at 10/s, a few ids replacing each other, every third one dismissed.
  const notifications: Array<Promise<void>> = [];
  for (let i = 0; i < 30; i++) {
    const id = `soak-${i % 4}`;
    notifications.push(send('notify', { text: `cycle ${cycle} #${i}`, id, duration_ms: 1000, color: i % 2 ? '#ff8800' : '#00ccff' }));
    if (i % 3 === 2) notifications.push(send('notify/dismiss', { id }));
    await delay(100);
  }
  await Promise.all(notifications);

  // An app removed, installed and reinstalled over MQTT, new bytes each time (as a new version
  // would be): the bridge must keep one compiled module for it, not one per install.
  await send('apps/remove', { id: appId });
  await send('apps/install', { manifest: target.churnApp.manifest, wasm: tagged(target.churnApp.wasm, `soak ${cycle} install`) });
  await send('apps/install', { manifest: target.churnApp.manifest, wasm: tagged(target.churnApp.wasm, `soak ${cycle} update`), replace: true });

  // Config and data pushes to the message board, values to the sensor app's topic.
  for (let i = 0; i < 5; i++) {
    await send('apps/board/config', { color: i % 2 ? '#ff0000' : '#00ff00', max_messages: 5 + i });
    await send('apps/board/data', { text: `cycle ${cycle} message ${i}`, from: 'soak' });
    await client.publish('home/sensor/temperature', String(20 + i));
  }

  // Home Assistant restarting: its birth message, answered with the discovery configs.
  const discovery = client.next(HA_DISCOVERY, (p) => p.length > 0);
  await client.publish(HA_BIRTH, 'online');
  await discovery;

  // Page visitors: the page itself, then MQTT over the bridge's /mqtt, each one leaving again.
  for (let i = 0; i < 3; i++) {
    await fetchPage(target.httpUrl);
    await pageClient(target.httpUrl, topics);
  }

  // The broker killed and started again: the bridge must come back online.
  const online = client.next(topics.out(OUT.availability), (p) => p.toString() === 'online', 30_000);
  await target.restartBroker();
  await online;

  if (target.cutSerialLink) await target.cutSerialLink();

  // The resting state every cycle ends in. The display off too: while it shows the clock, the
  // frame and PNG throttles hold a timer part of each second, so no count of timers is exact.
  await send('rotation', { enabled: false });
  await send('app', { id: RESTING_APP });
  for (let i = 0; i < 4; i++) await send('notify/dismiss', { id: `soak-${i}` });
  await send('display', { state: 'OFF' });
  return { cycle, commands, failures };
}

/** GET / with `Connection: close`: a visitor who loads the page and goes (no kept-alive socket). */
function fetchPage(httpUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${httpUrl}/`, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET / answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end();
  });
}

/** An MQTT client over the page's /mqtt, as the simulator page connects: takes one frame and leaves. */
async function pageClient(httpUrl: string, topics: DeviceTopics): Promise<void> {
  const page = await mqtt.connectAsync(`${httpUrl.replace(/^http/, 'ws')}/mqtt`, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    const frame = new Promise<void>((resolve) => page.once('message', () => resolve()));
    await page.subscribeAsync(topics.out(OUT.frame), { qos: 0 });
    await Promise.race([frame, delay(5000).then(() => Promise.reject(new Error('the page client got no frame within 5 s')))]);
  } finally {
    await page.endAsync(true);
  }
}
