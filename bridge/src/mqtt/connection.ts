/**
 * The bridge's one MQTT connection: availability as last will, `online` on every (re)connect,
 * resubscription, retained-state republishing via `onConnect` listeners, reconnect with
 * backoff, and one log line per state change rather than one per retry.
 */
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import type { DeviceTopics } from '@megabit/contract';
import { OUT, topicMatches } from '@megabit/contract';
import { errorMessage, type Logger } from '../util/logger';
import { socketHost } from '../util/socket-host';
import type { Part } from '../part';
import type { LoginOptions } from './client-options';

export interface ConnectionOptions {
  url: string;
  clientId: string;
  login: LoginOptions;
  keepaliveS: number;
  /**
   * The embedded broker's in-process connection, opened anew on each (re)connect; `url` is then
   * only for the logs. Absent = connect to `url` over the network.
   */
  connectInProcess?: () => Duplex;
  /** 5 with the embedded broker (aedes 2); 4 for external brokers, which all speak 3.1.1. */
  protocolVersion?: 4 | 5;
}

/** `retained`: the broker sent a stored retained message (on subscribing), not one just published. */
export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => void;

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export class MqttConnection implements Part {
  readonly name = 'mqtt connection';
  private client?: MqttClient;
  private readonly subscriptions = new Map<string, Set<MessageHandler>>();
  private readonly connectListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();
  private backoffMs = MIN_BACKOFF_MS;
  private lastProblem?: string;
  private everConnected = false;
  private stopping = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly topics: DeviceTopics,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /**
   * Listeners held now: on the mqtt.js client (its own and ours) and in this connection's
   * subscription, connect and disconnect lists. Counted by the leak test and the soak run.
   */
  listenerCount(): { client: number; handlers: number } {
    const client = this.client;
    const onClient = client ? client.eventNames().reduce((sum, event) => sum + client.listenerCount(event), 0) : 0;
    let handlers = this.connectListeners.size + this.disconnectListeners.size;
    for (const set of this.subscriptions.values()) handlers += set.size;
    return { client: onClient, handlers };
  }

  /** Resolves on the first successful connection; later drops are healed in the background. */
  async start(): Promise<void> {
    const o = this.options;
    const opts: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion ?? 4,
      clean: true,
      // handleConnect subscribes to everything itself, in the order that matters.
      resubscribe: false,
      keepalive: o.keepaliveS,
      reconnectPeriod: MIN_BACKOFF_MS,
      // mqtt.js gives up for good after a refused login unless told otherwise; the user may fix
      // the broker's password file without restarting the display.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      // No table of every 16-bit number: the switch of ./packet-numbers.ts, through mqtt.js's own option.
      writeCache: false,
      ...o.login,
      will: { topic: this.topics.out(OUT.availability), payload: Buffer.from('offline'), retain: true, qos: 1 },
    };
    const tcp = plainTcpAddress(o.url, o.login);
    const openStream = o.connectInProcess ?? (tcp ? () => netConnect(tcp) : undefined);
    const client = openStream ? new MqttClient(() => openStream(), opts) : mqtt.connect(o.url, opts);
    this.client = client;
    client.on('message', (topic, payload, packet) => this.dispatch(topic, payload, packet.retain === true));
    client.on('connect', () => this.handleConnect());
    client.on('error', (e) => this.problem(describeError(e)));
    client.on('close', () => {
      if (this.stopping) return;
      for (const listener of this.disconnectListeners) {
        try {
          listener();
        } catch (e) {
          this.log.error(`handling the broker disconnect failed: ${errorMessage(e)}`);
        }
      }
      if (this.everConnected && this.lastProblem === undefined) this.problem('connection to the broker lost');
      // mqtt.js retries at a fixed period; stretch it so a dead broker is not hammered.
      client.options.reconnectPeriod = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
    // Resolves once `online` is out (after the subscriptions' SUBACK), so whatever starts after
    // this publishes to a bridge that has announced itself, retained state included.
    await new Promise<void>((resolve) => {
      const remove = this.onConnect(() => {
        remove();
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    if (client.connected) {
      await client.publishAsync(this.topics.out(OUT.availability), 'offline', { retain: true, qos: 1 }).catch(() => undefined);
    }
    await client.endAsync();
  }

  /**
   * Called after every (re)connect, once `online` is published: republish retained state here.
   * Returns what removes the listener, for the part's stop.
   */
  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Called whenever the connection closes or a connection attempt fails (not on stop); returns its remover. */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  subscribe(filter: string, handler: MessageHandler): void {
    let handlers = this.subscriptions.get(filter);
    if (!handlers) {
      handlers = new Set();
      this.subscriptions.set(filter, handlers);
      if (this.client?.connected) this.client.subscribe(filter, { qos: 1 });
    }
    handlers.add(handler);
  }

  unsubscribe(filter: string, handler: MessageHandler): void {
    const handlers = this.subscriptions.get(filter);
    if (!handlers) return;
    handlers.delete(handler);
    if (handlers.size === 0) {
      this.subscriptions.delete(filter);
      if (this.client?.connected) this.client.unsubscribe(filter);
    }
  }

  /** Publishing while disconnected is dropped: retained state is republished on reconnect. */
  publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): void {
    const client = this.client;
    if (!client?.connected) return;
    client.publish(topic, payload, { retain: options.retain ?? false, qos: options.qos ?? 0 }, (e) => {
      if (e) this.log.debug(`publish to ${topic} failed: ${e.message}`);
    });
  }

  private handleConnect(): void {
    const client = this.client!;
    // A reply published right after the command's PUBACK would otherwise wait for the broker's
    // delayed ACK (Nagle): 40-80 ms per command on loopback. WebSocket streams have no such knob.
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    this.everConnected = true;
    this.backoffMs = MIN_BACKOFF_MS;
    client.options.reconnectPeriod = MIN_BACKOFF_MS;
    this.log.info(`connected to ${redact(this.options.url)}${this.lastProblem ? ' again' : ''}`);
    this.lastProblem = undefined;
    // Subscribed first, announced after: a client that sees `online` and sends a command at once
    // must find the subscription in place (sessions are clean, so nothing waits for us).
    const filters = [...this.subscriptions.keys()];
    if (filters.length === 0) this.announce(client);
    else client.subscribe(filters, { qos: 1 }, () => this.announce(client));
  }

  private announce(client: MqttClient): void {
    // A stop that came while the subscriptions were on their way has said `offline` already.
    if (client !== this.client || !client.connected || this.stopping) return;
    client.publish(this.topics.out(OUT.availability), 'online', { retain: true, qos: 1 });
    for (const listener of this.connectListeners) {
      try {
        listener();
      } catch (e) {
        this.log.error(`republishing after connect failed: ${errorMessage(e)}`);
      }
    }
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.log.warn(`MQTT ${redact(this.options.url)}: ${message}; retrying with backoff`);
  }

  private dispatch(topic: string, payload: Buffer, retained: boolean): void {
    for (const [filter, handlers] of this.subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of handlers) {
        try {
          handler(topic, payload, retained);
        } catch (e) {
          this.log.error(`handling ${topic} failed: ${errorMessage(e)}`);
        }
      }
    }
  }
}

/**
 * Where to open the TCP connection to an `mqtt://` or `tcp://` broker, as mqtt.js's own TCP
 * transport would, or undefined when mqtt.js's `connect` must make the connection. That `connect`
 * loads every transport mqtt.js has on its first call (the WebSocket and TLS ones load `ws`,
 * `tls` and `https`), which a broker on plain TCP never needs (util/on-first-use.ts says what
 * they weigh). What this does not read as `connect` would goes to `connect`, as before:
 * credentials, a path or a query in the URL, a host name outside ASCII, a client certificate
 * (mqtt.js then switches to TLS), a SOCKS proxy (mqtt.js reads MQTTJS_SOCKS_PROXY).
 */
export function plainTcpAddress(url: string, login: LoginOptions): { host: string; port: number } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'tcp:') return undefined;
  if (parsed.username || parsed.password || parsed.search || parsed.hash || (parsed.pathname !== '' && parsed.pathname !== '/')) return undefined;
  // A host outside plain ASCII stays percent-encoded in such a URL: mqtt.js turns it into punycode.
  if (/[^\x21-\x7e]|%/.test(parsed.hostname)) return undefined;
  if (login.cert && login.key) return undefined;
  if (process.env.MQTTJS_SOCKS_PROXY) return undefined;
  return { host: socketHost(parsed) || 'localhost', port: Number(parsed.port) || 1883 };
}

function describeError(e: Error & { code?: number | string }): string {
  if (e.code === 4 || e.code === 5 || /not authori[sz]ed|bad user/i.test(e.message)) {
    return `the broker refused the login (${e.message}); check mqtt.username and mqtt.password`;
  }
  if (e.code === 'ECONNREFUSED') return 'nothing listens at that address (is the broker running?)';
  return errorMessage(e);
}

/** Never print credentials embedded in a URL. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
