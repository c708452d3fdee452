/**
 * Entity states for apps: a Home Assistant WebSocket API connection (home-assistant-js-websocket)
 * subscribed to exactly the entities installed apps list under permissions.homeassistant, whose
 * latest states are handed to the device. The client reconnects and resubscribes by itself; this
 * class retries the first connection, follows app installs and removals, and never logs the token.
 * It is the bridge's one connection to Home Assistant: live templates render on it too
 * (`onConnection`).
 */
import type { Connection, Haws } from '../esm-types';
import type { EventBus } from '../events';
import { redact } from '../mqtt/connection';
import type { HomeAssistantEntityState } from '../sandbox/types';
import type { Part } from '../part';
import { errorMessage, type Logger } from '../util/logger';
import { applyEntityEvent } from './entity-updates';
import { wsModule } from '../util/on-first-use';

/** The part of DeviceControl this needs. */
export interface EntityStateSink {
  setEntityState(entityId: string, state: HomeAssistantEntityState | null): void;
  readableEntities(): string[];
}

export interface HomeAssistantStatesOptions {
  /** e.g. http://homeassistant.local:8123 (ws:// and wss:// work as well). */
  url: string;
  token: string;
}

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

export class HomeAssistantStates implements Part {
  readonly name = 'homeassistant-states';
  private haws?: Haws;
  private connection?: Connection;
  private unsubscribe?: () => Promise<void>;
  private subscribed = new Set<string>();
  private readonly states = new Map<string, HomeAssistantEntityState>();
  private running = false;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = MIN_RETRY_MS;
  private unreachableLogged = false;
  /** Subscription changes run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private readonly connectionListeners = new Set<(connection: Connection) => void>();

  constructor(
    private readonly options: HomeAssistantStatesOptions,
    private readonly device: EntityStateSink,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running = true;
    this.bus.on(this, 'appsChanged', () => this.updateSubscription());
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.bus.removeListeners(this);
    this.connection?.close();
    this.connection = undefined;
  }

  /** Calls `listener` with each new connection (the client's own reconnects keep the same one). */
  onConnection(listener: (connection: Connection) => void): void {
    this.connectionListeners.add(listener);
    if (this.connection) listener(this.connection);
  }

  private async connect(): Promise<void> {
    const url = this.wsBaseUrl();
    try {
      this.haws ??= await import('home-assistant-js-websocket');
      // Node 20 has no WebSocket global, which the client's socket code expects.
      (globalThis as { WebSocket?: unknown }).WebSocket ??= wsModule().WebSocket;
      const auth = this.haws.createLongLivedTokenAuth(url, this.options.token);
      const connection = await this.haws.createConnection({ auth });
      if (!this.running) {
        connection.close();
        return;
      }
      this.connection = connection;
      this.retryMs = MIN_RETRY_MS;
      this.log.info(`connected to Home Assistant ${connection.haVersion} at ${redact(this.options.url)}`);
      connection.addEventListener('disconnected', () => this.log.warn('connection to Home Assistant lost; reconnecting'));
      connection.addEventListener('ready', () => this.log.info('connected to Home Assistant again'));
      connection.addEventListener('reconnect-error', () => this.log.error(this.invalidTokenMessage()));
      this.subscribed = new Set();
      this.updateSubscription();
      for (const listener of this.connectionListeners) {
        try {
          listener(connection);
        } catch (e) {
          this.log.error(`using the Home Assistant connection failed: ${errorMessage(e)}`);
        }
      }
    } catch (e) {
      if (!this.running) return;
      if (this.haws && e === this.haws.ERR_INVALID_AUTH) {
        this.log.error(this.invalidTokenMessage());
        return;
      }
      const why = this.haws && e === this.haws.ERR_CANNOT_CONNECT ? 'nothing answers there' : errorMessage(e);
      if (!this.unreachableLogged)
        this.log.warn(`cannot reach Home Assistant at ${redact(this.options.url)} (${why}); apps see its entities as unavailable until it answers`);
      this.unreachableLogged = true;
      this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    }
  }

  private invalidTokenMessage(): string {
    return (
      `Home Assistant at ${redact(this.options.url)} refused the access token (homeassistant.token): ` +
      'create a long-lived access token in your Home Assistant user profile'
    );
  }

  /** The client wants Home Assistant's base URL; it derives /api/websocket from it. */
  private wsBaseUrl(): string {
    return this.options.url
      .replace(/^ws(s?):\/\//, 'http$1://')
      .replace(/\/api\/websocket\/?$/, '')
      .replace(/\/$/, '');
  }

  private updateSubscription(): void {
    this.queue = this.queue.then(() => this.resubscribe()).catch((e) => this.log.warn(`subscribing to Home Assistant entities failed: ${errorMessage(e)}`));
  }

  private async resubscribe(): Promise<void> {
    const connection = this.connection;
    if (!this.running || !connection) return;
    const wanted = new Set(this.device.readableEntities());
    if (sameSet(wanted, this.subscribed) && (this.unsubscribe || wanted.size === 0)) return;
    const previous = this.unsubscribe;
    this.unsubscribe = undefined;
    await previous?.().catch(() => undefined);
    for (const id of this.subscribed) {
      if (wanted.has(id) || !this.states.delete(id)) continue;
      this.device.setEntityState(id, null);
    }
    this.subscribed = wanted;
    if (wanted.size === 0) return;
    this.unsubscribe = await connection.subscribeMessage(
      (event: unknown) => {
        for (const [id, state] of applyEntityEvent(this.states, event, this.subscribed)) this.device.setEntityState(id, state);
      },
      { type: 'subscribe_entities', entity_ids: [...wanted] },
    );
    this.log.debug(`subscribed to ${wanted.size} Home Assistant entit${wanted.size === 1 ? 'y' : 'ies'}`);
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
