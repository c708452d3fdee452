/** An MQTT client for tests: records what arrives, waits for messages, sends API requests. */
import mqtt, { type MqttClient } from 'mqtt';
import { DeviceTopics } from '@megabit/contract';

/** An MQTT payload read as JSON. */
export function json<T>(payload: Buffer): T {
  return JSON.parse(payload.toString()) as T;
}

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  /** Date.now() when it arrived. */
  at: number;
}

export class TestClient {
  readonly messages: Received[] = [];
  private waiters: Array<{ match: (m: Received) => boolean; resolve: (m: Received) => void }> = [];
  private transaction = 0;

  private constructor(
    readonly client: MqttClient,
    readonly topics: DeviceTopics,
  ) {
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload, retain: packet.retain, at: Date.now() };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static async connect(url: string, topics: DeviceTopics = new DeviceTopics(), options: mqtt.IClientOptions = {}): Promise<TestClient> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 200, connectTimeout: 5000, ...options });
    return new TestClient(client, topics);
  }

  async subscribe(filter: string | string[]): Promise<void> {
    await this.client.subscribeAsync(filter, { qos: 1 });
  }

  /**
   * The first message (already received, or arriving within `timeoutMs`) on `topic` that
   * satisfies `predicate`; `since` skips messages recorded before that index.
   */
  waitFor(topic: string, predicate: (m: Received) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<Received> {
    const match = (m: Received): boolean => m.topic === topic && predicate(m);
    const seen = this.messages.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: Received): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Messages on `topic` from index `since` on. */
  on(topic: string, since = 0): Received[] {
    return this.messages.slice(since).filter((m) => m.topic === topic);
  }

  async publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  /**
   * Sends a command and resolves with its reply. JSON object payloads get a transaction id so the
   * reply is matched exactly; other payloads take the next reply on the response topic.
   */
  async request(path: string, payload: string | Buffer | Record<string, unknown> = '', timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const responseTopic = this.topics.response(path);
    await this.subscribe(responseTopic);
    let body: string | Buffer;
    let transaction: string | undefined;
    if (typeof payload === 'object' && !Buffer.isBuffer(payload)) {
      transaction = `t${++this.transaction}-${Date.now()}`;
      body = JSON.stringify({ ...payload, transaction });
    } else {
      body = payload;
    }
    const since = this.messages.length;
    await this.publish(this.topics.cmd(path), body);
    const reply = await this.waitFor(
      responseTopic,
      (m) => transaction === undefined || JSON.parse(m.payload.toString()).transaction === transaction,
      timeoutMs,
      since,
    );
    return JSON.parse(reply.payload.toString()) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
