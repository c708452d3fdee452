/**
 * One MQTT connection to one Megabit bridge, shared by every node that uses the same
 * `megabit-device` config node. It connects when the first node registers and disconnects when
 * the last one leaves; subscriptions are counted per node and restored after each reconnect; the
 * bridge's availability is pushed to every user as its node status.
 */
import { connect, type MqttClient } from 'mqtt';
import {
  commandPath,
  DeviceTopics,
  GroupTopics,
  OUT,
  topicMatches,
  type AppStatus,
  type AppsOrderRequest,
  type CommandName,
  type CommandReply,
  type CommandRequest,
  type ParamArgs,
} from '@megabit/contract';
import type { Node, NodeStatus } from './node-red';
import { ReplyMatcher, type ReplyBody } from './replies';

export interface DeviceSettings {
  /** `mqtt://host:1883`, `ws://host:8080/mqtt`, ... */
  url: string;
  username?: string;
  password?: string;
  baseTopic: string;
  deviceId: string;
  /**
   * A display group instead of one display: its topics (`<base>/group/<name>/...`) replace the
   * device's; a command resolves with every member's reply (GroupReply, each with its
   * `device_id`), collected for `groupWaitMs` after the first, or until all `members` answered.
   */
  group?: string;
  groupWaitMs?: number;
  members?: string[];
  /** How long a command waits for its reply. */
  timeoutMs: number;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

/**
 * A command body, typed by the command's request in the contract: JSON gets a `transaction`;
 * raw bytes (app data) are sent as they are.
 */
export type CommandBody<K extends CommandName> = CommandRequest<K> extends Uint8Array ? { raw: Buffer | string } : { json: CommandRequest<K> };

/** The `{"ok":true}` reply of a command, typed by the contract (`CommandReply`). */
export type OkReply<K extends CommandName> = { ok: true; transaction?: string | number } & CommandReply<K>;

export type LinkState = 'connecting' | 'online' | 'offline';

const STATUS: Record<LinkState, NodeStatus> = {
  connecting: { fill: 'yellow', shape: 'ring', text: 'connecting' },
  online: { fill: 'green', shape: 'dot', text: 'online' },
  offline: { fill: 'red', shape: 'ring', text: 'offline' },
};

/** How long a group command waits for more members' replies after the first. */
export const DEFAULT_GROUP_WAIT_MS = 1000;

/**
 * The most groups one display's connection keeps subscribed to the replies of (msg.group can name
 * any group): past it the least recently used one with no command waiting is dropped, and
 * subscribed again when it is next addressed.
 */
export const MAX_GROUP_TARGETS = 16;

/** The link's own subscriptions are kept under this ref; node ids never look like it. */
const LINK_REF = '#link';

type GroupTarget = { topics: GroupTopics; replies: ReplyMatcher; subscribed: Promise<void>; filter: string };

export class DeviceLink {
  readonly topics: DeviceTopics;
  private client?: MqttClient;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private availability?: string;
  private apps?: AppStatus[];
  private readonly users = new Map<string, Node>();
  /** filter → (ref → handler) */
  private readonly subscriptions = new Map<string, Map<string, MessageHandler>>();
  /** Latest payload of each retained topic the bridge publishes, for nodes that subscribe late. */
  private readonly retained = new Map<string, Buffer>();
  private readonly replies: ReplyMatcher;
  /**
   * Groups that nodes of this display address directly (the notify node's Group, msg.group):
   * their replies, their SUBACK and their filter. In order of last use, at most MAX_GROUP_TARGETS.
   */
  private readonly groups = new Map<string, GroupTarget>();
  private orderChain: Promise<unknown> = Promise.resolve();
  private lastError?: string;

  constructor(
    private readonly settings: DeviceSettings,
    private readonly log: (text: string) => void,
  ) {
    this.topics = settings.group ? new GroupTopics(settings.baseTopic, settings.group) : new DeviceTopics(settings.baseTopic, settings.deviceId);
    this.replies = new ReplyMatcher(
      settings.timeoutMs,
      settings.group ? { group: settings.group, windowMs: settings.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS, members: settings.members } : undefined,
    );
    const responses = this.topics.response('');
    this.addHandler(LINK_REF, `${responses}#`, (topic, payload) => this.replies.receive(topic.slice(responses.length), payload));
    this.addHandler(LINK_REF, this.topics.out(OUT.availability), (_t, payload) => {
      this.availability = payload.toString('utf8');
      this.pushStatus();
    });
    this.addHandler(LINK_REF, this.topics.out(OUT.stateApps), (_t, payload) => {
      const apps = parseAppList(payload);
      if (apps) this.apps = apps;
    });
    // Held only so its retained value is at hand for state nodes that start later.
    this.addHandler(LINK_REF, this.topics.out(OUT.state), () => undefined);
  }

  get state(): LinkState {
    if (!this.ready) return 'connecting';
    return this.availability === 'online' ? 'online' : 'offline';
  }

  /** The bridge's app list as last published on `P/state/apps`, if it has been seen. */
  currentApps(): AppStatus[] | undefined {
    return this.apps;
  }

  register(node: Node): void {
    this.users.set(node.id, node);
    node.status(STATUS[this.state]);
    if (!this.client) this.open();
  }

  /** Drops the node and its subscriptions; the last one to leave closes the connection. */
  async deregister(node: Node): Promise<void> {
    this.users.delete(node.id);
    for (const filter of [...this.subscriptions.keys()]) this.unsubscribe(node.id, filter);
    if (this.users.size === 0) await this.close();
  }

  /** Calls `handler` for every message on `filter`, starting with the retained ones already known. */
  subscribe(ref: string, filter: string, handler: MessageHandler): void {
    const isNew = this.addHandler(ref, filter, handler);
    if (isNew && this.client?.connected) {
      this.client.subscribe(filter, { qos: 1 }, (err) => {
        if (err) this.log(`subscribing to ${filter} failed: ${err.message}`);
      });
    }
    for (const [topic, payload] of this.retained) {
      if (!topicMatches(filter, topic)) continue;
      // Later, so the subscribing node has finished its constructor; skipped if it left meanwhile.
      setImmediate(() => {
        if (this.subscriptions.get(filter)?.get(ref) === handler) handler(topic, payload);
      });
    }
  }

  unsubscribe(ref: string, filter: string): void {
    const refs = this.subscriptions.get(filter);
    if (!refs?.delete(ref) || refs.size > 0) return;
    this.subscriptions.delete(filter);
    if (this.client?.connected) this.client.unsubscribe(filter);
  }

  /**
   * Sends the command (`P/cmd/<path>`, route parameters filled in) and resolves with its
   * `{"ok":true}` reply; an error reply or a timeout rejects.
   */
  request<K extends CommandName>(name: K, body: CommandBody<K>, ...params: ParamArgs<K>): Promise<OkReply<K>> {
    // The bridge answers each command with the data its descriptor declares.
    return this.requestPath(commandPath(name, ...params), body) as unknown as Promise<OkReply<K>>;
  }

  /**
   * The same with the path given and the payload as the bridge reads it: for commands whose
   * parser returns an inner form rather than the payload (`screens/<id>`, a notification with
   * screen content) and an empty payload (a screen's removal). The reply is untyped.
   */
  requestPath(path: string, body: { json: object } | { raw: Buffer | string }): Promise<ReplyBody & { ok: true }> {
    return this.send(this.topics, this.replies, Promise.resolve(), path, body);
  }

  /**
   * The same, sent to a display group over this display's connection
   * (`<base>/group/<group>/cmd/<path>`): resolves with every member's reply (GroupReply), collected
   * as for a group config node. A config node that is a group takes only its own group.
   */
  requestGroupPath(group: string, path: string, body: { json: object } | { raw: Buffer | string }): Promise<ReplyBody & { ok: true }> {
    if (this.settings.group !== undefined) {
      if (group === this.settings.group) return this.requestPath(path, body);
      return Promise.reject(new Error(`megabit ${path}: the device node is group "${this.settings.group}" already; it cannot send to group "${group}"`));
    }
    const target = this.groupTarget(group);
    if (!target) {
      return Promise.reject(
        new Error(
          `megabit ${path}: commands to ${MAX_GROUP_TARGETS} other groups are waiting for replies; send to group "${group}" again once they are answered`,
        ),
      );
    }
    return this.send(target.topics, target.replies, target.subscribed, path, body);
  }

  private send(
    topics: DeviceTopics,
    replies: ReplyMatcher,
    subscribed: Promise<void>,
    path: string,
    body: { json: object } | { raw: Buffer | string },
  ): Promise<ReplyBody & { ok: true }> {
    const transaction = 'json' in body ? replies.nextTransaction() : undefined;
    const payload = 'json' in body ? JSON.stringify({ ...body.json, transaction }) : body.raw;
    const reply = replies.expect(path, transaction);
    // Published once the replies' topic is subscribed, so no reply can come before we listen.
    void this.whenReady()
      .then(() => subscribed)
      .then(() => {
        if (reply.isSettled() || !this.client) return;
        this.client.publish(topics.cmd(path), payload, { qos: 1 }, (err) => {
          if (err) reply.abandon(new Error(`megabit ${path}: publish failed: ${err.message}`));
        });
      });
    return reply.promise;
  }

  /**
   * A group's topics and reply matcher, subscribed to its replies on first use. None for a new
   * group while MAX_GROUP_TARGETS others all have commands waiting for replies.
   */
  private groupTarget(group: string): GroupTarget | undefined {
    const known = this.groups.get(group);
    if (known) {
      // Most recently used last: the first idle one is the one to drop.
      this.groups.delete(group);
      this.groups.set(group, known);
      return known;
    }
    if (this.groups.size >= MAX_GROUP_TARGETS) {
      const idle = [...this.groups.entries()].find(([, t]) => t.replies.waiting === 0);
      if (!idle) return undefined;
      this.dropGroupTarget(idle[0], idle[1]);
    }
    const topics = new GroupTopics(this.settings.baseTopic, group);
    const replies = new ReplyMatcher(this.settings.timeoutMs, { group, windowMs: this.settings.groupWaitMs ?? DEFAULT_GROUP_WAIT_MS });
    const responses = topics.response('');
    const filter = `${responses}#`;
    const isNew = this.addHandler(LINK_REF, filter, (topic, payload) => replies.receive(topic.slice(responses.length), payload));
    const client = this.client;
    // Not connected yet: onConnect subscribes it with the rest before the link is ready.
    const subscribed =
      isNew && client?.connected
        ? new Promise<void>((resolve) => {
            client.subscribe(filter, { qos: 1 }, (err) => {
              if (err) this.log(`subscribing to ${filter} failed: ${err.message}`);
              resolve();
            });
          })
        : Promise.resolve();
    const target = { topics, replies, subscribed, filter };
    this.groups.set(group, target);
    return target;
  }

  /** Forgets a group with no command waiting: its matcher, its handler and the broker's subscription. */
  private dropGroupTarget(group: string, target: GroupTarget): void {
    this.groups.delete(group);
    this.unsubscribe(LINK_REF, target.filter);
  }

  /** The topic filters this connection holds (for tests: what a flow's messages made it subscribe to). */
  subscribedFilters(): string[] {
    return [...this.subscriptions.keys()];
  }

  /**
   * Rewrites the rotation (`apps/order`) from the current app list. Changes run one after the
   * other, each on the list the previous one left, so quick enable/disable sequences all count.
   */
  changeAppOrder(build: (apps: AppStatus[]) => AppsOrderRequest): Promise<OkReply<'appsOrder'>> {
    const run = async (): Promise<OkReply<'appsOrder'>> => {
      if (!this.apps) throw new Error(`megabit ${commandPath('appsOrder')}: the device has not published its app list (${this.topics.out(OUT.stateApps)}) yet`);
      const request = build(this.apps);
      const reply = await this.request('appsOrder', { json: request });
      this.apps = applyOrder(this.apps, request);
      return reply;
    };
    const result = this.orderChain.then(run, run);
    this.orderChain = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.forgetBrokerState();
    this.replies.rejectAll('the connection was closed');
    for (const { replies } of this.groups.values()) replies.rejectAll('the connection was closed');
    // Forced: waiting for acks of a broker that is gone would hold up Node-RED's redeploy.
    if (client) await client.endAsync(true);
  }

  private open(): void {
    const { url, username, password } = this.settings;
    const client = connect(url, {
      protocolVersion: 4,
      clientId: `megabit-nr-${Math.random().toString(36).slice(2, 10)}`,
      username: username || undefined,
      password: password || undefined,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      // Subscriptions are restored by onConnect, which also knows when they are in place.
      resubscribe: false,
    });
    this.client = client;
    // A client that was closed may still report; only the current one counts.
    client.on('connect', () => {
      if (client === this.client) this.onConnect(client);
    });
    client.on('close', () => {
      if (client !== this.client) return;
      this.forgetBrokerState();
      this.pushStatus();
    });
    client.on('error', (err) => {
      if (err.message !== this.lastError) this.log(`MQTT ${url}: ${err.message}`);
      this.lastError = err.message;
    });
    client.on('message', (topic, payload) => {
      if (client === this.client) this.dispatch(topic, payload);
    });
    this.pushStatus();
  }

  /** What the broker told us may be stale once the connection is gone; it resends on resubscribe. */
  private forgetBrokerState(): void {
    this.ready = false;
    this.availability = undefined;
    this.retained.clear();
  }

  private onConnect(client: MqttClient): void {
    this.lastError = undefined;
    const filters = [...this.subscriptions.keys()];
    client.subscribe(filters, { qos: 1 }, (err) => {
      if (err) {
        this.log(`subscribing to ${filters.join(', ')} failed: ${err.message}`);
        return;
      }
      if (client !== this.client) return;
      this.ready = true;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const wake of waiters) wake();
      this.pushStatus();
    });
  }

  private whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private dispatch(topic: string, payload: Buffer): void {
    if (this.isRetainedTopic(topic)) {
      if (payload.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, payload);
    }
    for (const [filter, refs] of this.subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of [...refs.values()]) {
        try {
          handler(topic, payload);
        } catch (e) {
          this.log(`handling ${topic} failed: ${(e as Error).message}`);
        }
      }
    }
  }

  private isRetainedTopic(topic: string): boolean {
    return [OUT.availability, OUT.state, OUT.stateApps].some((path) => this.topics.out(path) === topic);
  }

  /** Stores a handler; true when `filter` had no handler before (so it needs a SUBSCRIBE). */
  private addHandler(ref: string, filter: string, handler: MessageHandler): boolean {
    const refs = this.subscriptions.get(filter);
    if (refs) {
      refs.set(ref, handler);
      return false;
    }
    this.subscriptions.set(filter, new Map([[ref, handler]]));
    return true;
  }

  private pushStatus(): void {
    const status = STATUS[this.state];
    for (const node of this.users.values()) node.status(status);
  }
}

function parseAppList(payload: Buffer): AppStatus[] | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    if (Array.isArray(value) && value.every((a) => typeof a === 'object' && a !== null && typeof (a as AppStatus).id === 'string')) {
      return value as AppStatus[];
    }
  } catch {
    // Not a list: keep the last good one.
  }
  return undefined;
}

/** The app list as it is after `request` was accepted. */
function applyOrder(apps: AppStatus[], request: AppsOrderRequest): AppStatus[] {
  const byId = new Map(apps.map((a) => [a.id, a]));
  const disabled = new Set(request.disabled ?? []);
  const ordered = request.order.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const rest = apps.filter((a) => !request.order.includes(a.id));
  return [...ordered, ...rest].map((a) => ({ ...a, enabled: !disabled.has(a.id) }));
}
