/**
 * A small server that speaks Home Assistant's WebSocket API as documented
 * (developers.home-assistant.io/docs/api/websocket): `auth_required` → `auth` → `auth_ok` or
 * `auth_invalid`; then commands with ids answered by `result` messages; `supported_features`,
 * `get_states`, `subscribe_entities` (compressed `a`/`c`/`r` events), `subscribe_events`
 * (`state_changed`), `render_template`, `unsubscribe_events` and `ping`. Tests set entity states
 * on it and read back what clients sent.
 *
 * render_template renders with real Jinja (LiveTemplateRenderer) as Home Assistant's websocket
 * API does with `report_errors`: the warnings and the error of the first render come as
 * `{error, level}` events before the `result` message, then the first render's event
 * (`{result, listeners}` or `{error, level: "ERROR"}`), then a new event whenever a state the
 * template read changes its result. Without `report_errors` a failing template sends nothing. With
 * `legacyTemplateErrors` it answers as Home Assistant did before `report_errors` existed: a
 * template that fails to render is a failed `result` with code `template_error`. A `timeout` is
 * accepted and not enforced (Home Assistant answers a template slower than that with a failed
 * `result`; templates here render in milliseconds).
 */
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { freePort } from '../ports';
import { type LiveRender, LiveTemplateRenderer } from './ha-template';

export const HA_VERSION = '2025.11.1';

interface EntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  context: { id: string; parent_id: null; user_id: null };
}

interface TemplateSubscription {
  kind: 'template';
  socket: WebSocket;
  id: number;
  template: string;
  variables: Record<string, unknown>;
  reportErrors: boolean;
  /** What the last render read, and what it gave. */
  entities: Set<string>;
  all: boolean;
  last?: { result: unknown } | { error: string };
  /** Renders of one subscription are answered in order. */
  rendering: Promise<void>;
}

type Subscription =
  | { kind: 'entities'; socket: WebSocket; id: number; entityIds?: Set<string> }
  | { kind: 'events'; socket: WebSocket; id: number; eventType?: string }
  | TemplateSubscription;

export interface ReceivedCommand {
  connection: number;
  message: Record<string, unknown>;
}

export class HomeAssistantServer {
  private http?: Server;
  private wss?: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private subscriptions: Subscription[] = [];
  private readonly entities = new Map<string, EntityState>();
  private connections = 0;
  private contextCounter = 0;
  private renderer?: LiveTemplateRenderer;
  /** Answer render_template as Home Assistant before 2023.x did: a bad template is a failed result. */
  legacyTemplateErrors = false;
  /** Every message clients sent after authenticating, in order. */
  readonly commands: ReceivedCommand[] = [];
  /** Every `auth` attempt, with whether it was accepted. */
  readonly authAttempts: Array<{ accepted: boolean }> = [];

  private constructor(
    readonly port: number,
    private readonly token: string,
  ) {}

  static async start(token: string, port?: number): Promise<HomeAssistantServer> {
    const server = new HomeAssistantServer(port ?? (await freePort()), token);
    await server.listen();
    return server;
  }

  /** What a user puts in homeassistant.url. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setState(entityId: string, state: string, attributes: Record<string, unknown> = {}): void {
    const now = new Date().toISOString();
    const old = this.entities.get(entityId);
    const next: EntityState = {
      entity_id: entityId,
      state,
      attributes,
      last_changed: old && old.state === state ? old.last_changed : now,
      last_updated: now,
      context: { id: `ctx${++this.contextCounter}`, parent_id: null, user_id: null },
    };
    this.entities.set(entityId, next);
    for (const sub of this.subscriptions) {
      if (sub.kind === 'entities' && (!sub.entityIds || sub.entityIds.has(entityId))) {
        this.event(sub, old ? { c: { [entityId]: diff(old, next) } } : { a: { [entityId]: compress(next) } });
      }
      if (sub.kind === 'events' && (!sub.eventType || sub.eventType === 'state_changed')) {
        this.event(sub, {
          event_type: 'state_changed',
          data: { entity_id: entityId, old_state: old ?? null, new_state: next },
          origin: 'LOCAL',
          time_fired: now,
        });
      }
    }
    this.rerenderTemplates(entityId);
  }

  removeEntity(entityId: string): void {
    const old = this.entities.get(entityId);
    if (!old) return;
    this.entities.delete(entityId);
    for (const sub of this.subscriptions) {
      if (sub.kind === 'entities' && (!sub.entityIds || sub.entityIds.has(entityId))) this.event(sub, { r: [entityId] });
      if (sub.kind === 'events') this.event(sub, { event_type: 'state_changed', data: { entity_id: entityId, old_state: old, new_state: null } });
    }
    this.rerenderTemplates(entityId);
  }

  /** How many render_template subscriptions are open now. */
  get templateSubscriptions(): number {
    return this.subscriptions.filter((s) => s.kind === 'template').length;
  }

  /** Sends `event` as is to every render_template subscription: what a broken or future Home Assistant might send. */
  sendTemplateEvent(event: unknown): void {
    for (const sub of this.subscriptions) if (sub.kind === 'template') this.event(sub, event);
  }

  /** The templates of every render_template command received, in order. */
  renderedTemplates(): string[] {
    return this.commands.filter((c) => c.message.type === 'render_template').map((c) => c.message.template as string);
  }

  /** The entity ids of every subscribe_entities command received, in order. */
  entitySubscriptions(): Array<string[] | undefined> {
    return this.commands.filter((c) => c.message.type === 'subscribe_entities').map((c) => (c.message.entity_ids as string[] | undefined)?.slice().sort());
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Drops every connection and stops listening, as Home Assistant going down does. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    this.subscriptions = [];
    this.renderer?.close();
    this.renderer = undefined;
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http = undefined;
    this.wss = undefined;
  }

  /** Comes back on the same port with the same entities (a Home Assistant restart). */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  private async listen(): Promise<void> {
    const http = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server: http, path: '/api/websocket' });
    wss.on('connection', (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.http = http;
    this.wss = wss;
  }

  private accept(socket: WebSocket): void {
    const connection = ++this.connections;
    this.sockets.add(socket);
    let authenticated = false;
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.subscriptions = this.subscriptions.filter((s) => s.socket !== socket);
    });
    socket.send(JSON.stringify({ type: 'auth_required', ha_version: HA_VERSION }));
    socket.on('message', (data) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        socket.close(1003, 'invalid JSON');
        return;
      }
      if (!authenticated) {
        const accepted = message.type === 'auth' && message.access_token === this.token;
        this.authAttempts.push({ accepted });
        if (accepted) {
          authenticated = true;
          socket.send(JSON.stringify({ type: 'auth_ok', ha_version: HA_VERSION }));
        } else {
          socket.send(JSON.stringify({ type: 'auth_invalid', message: 'Invalid access token or password' }));
          socket.close();
        }
        return;
      }
      this.commands.push({ connection, message });
      this.command(socket, message);
    });
  }

  private command(socket: WebSocket, message: Record<string, unknown>): void {
    const id = message.id;
    if (typeof id !== 'number') {
      socket.send(JSON.stringify({ type: 'result', success: false, error: { code: 'invalid_format', message: 'Message incorrectly formatted.' } }));
      return;
    }
    const ok = (result: unknown = null): void => socket.send(JSON.stringify({ id, type: 'result', success: true, result }));
    switch (message.type) {
      case 'supported_features':
        ok();
        return;
      case 'ping':
        socket.send(JSON.stringify({ id, type: 'pong' }));
        return;
      case 'get_states':
        ok([...this.entities.values()]);
        return;
      case 'subscribe_entities': {
        const ids = Array.isArray(message.entity_ids) ? new Set(message.entity_ids as string[]) : undefined;
        const sub: Subscription = { kind: 'entities', socket, id, entityIds: ids };
        this.subscriptions.push(sub);
        ok();
        const initial = Object.fromEntries([...this.entities.values()].filter((e) => !ids || ids.has(e.entity_id)).map((e) => [e.entity_id, compress(e)]));
        this.event(sub, { a: initial });
        return;
      }
      case 'subscribe_events':
        this.subscriptions.push({ kind: 'events', socket, id, eventType: typeof message.event_type === 'string' ? message.event_type : undefined });
        ok();
        return;
      case 'render_template':
        this.renderTemplate(socket, id, message);
        return;
      case 'unsubscribe_events': {
        const before = this.subscriptions.length;
        this.subscriptions = this.subscriptions.filter((s) => !(s.socket === socket && s.id === message.subscription));
        if (this.subscriptions.length === before) {
          socket.send(JSON.stringify({ id, type: 'result', success: false, error: { code: 'not_found', message: 'Subscription not found.' } }));
        } else ok();
        return;
      }
      default:
        socket.send(JSON.stringify({ id, type: 'result', success: false, error: { code: 'unknown_command', message: 'Unknown command.' } }));
    }
  }

  private event(sub: Subscription, event: unknown): void {
    sub.socket.send(JSON.stringify({ id: sub.id, type: 'event', event }));
  }

  private renderTemplate(socket: WebSocket, id: number, message: Record<string, unknown>): void {
    if (typeof message.template !== 'string') {
      socket.send(
        JSON.stringify({ id, type: 'result', success: false, error: { code: 'invalid_format', message: "required key not provided @ data['template']" } }),
      );
      return;
    }
    const variables = typeof message.variables === 'object' && message.variables !== null ? (message.variables as Record<string, unknown>) : {};
    const sub: TemplateSubscription = {
      kind: 'template',
      socket,
      id,
      template: message.template,
      variables,
      reportErrors: message.report_errors === true,
      entities: new Set(),
      all: false,
      rendering: Promise.resolve(),
    };
    sub.rendering = this.render(sub).then((answer) => {
      if (socket.readyState !== socket.OPEN) return;
      if (this.legacyTemplateErrors && answer.error !== undefined) {
        socket.send(JSON.stringify({ id, type: 'result', success: false, error: { code: 'template_error', message: answer.error } }));
        return;
      }
      // Set up: what the first render reports through report_errors goes out at once, before the result.
      if (sub.reportErrors) {
        for (const warning of answer.warnings) this.event(sub, { error: warning, level: 'WARNING' });
        if (answer.error !== undefined) this.event(sub, { error: answer.error, level: 'ERROR' });
      }
      this.subscriptions.push(sub);
      socket.send(JSON.stringify({ id, type: 'result', success: true, result: null }));
      // Then the refresh: the first result (or error) as an event.
      this.templateUpdate(sub, answer);
    });
  }

  private rerenderTemplates(entityId: string): void {
    for (const sub of this.subscriptions) {
      if (sub.kind !== 'template' || !(sub.all || sub.entities.has(entityId))) continue;
      sub.rendering = sub.rendering.then(async () => {
        const answer = await this.render(sub);
        if (this.subscriptions.includes(sub)) this.templateUpdate(sub, answer);
      });
    }
  }

  private render(sub: TemplateSubscription): Promise<LiveRender> {
    this.renderer ??= new LiveTemplateRenderer();
    const states = Object.fromEntries([...this.entities.values()].map((e) => [e.entity_id, { state: e.state, attributes: e.attributes }]));
    return this.renderer.render(sub.template, states, sub.variables);
  }

  /** An event when the result changed, as Home Assistant's template tracking sends them. */
  private templateUpdate(sub: TemplateSubscription, answer: LiveRender): void {
    sub.entities = new Set(answer.entities);
    sub.all = answer.all;
    if (sub.reportErrors) for (const warning of answer.warnings) this.event(sub, { error: warning, level: 'WARNING' });
    if (answer.error !== undefined) {
      if (sub.last && 'error' in sub.last) return;
      sub.last = { error: answer.error };
      if (sub.reportErrors) this.event(sub, { error: answer.error, level: 'ERROR' });
      return;
    }
    if (sub.last && 'result' in sub.last && JSON.stringify(sub.last.result) === JSON.stringify(answer.result)) return;
    sub.last = { result: answer.result };
    this.event(sub, { result: answer.result, listeners: { all: answer.all, entities: answer.entities, domains: [], time: false } });
  }
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** A state in subscribe_entities' compressed form. */
function compress(e: EntityState): Record<string, unknown> {
  return {
    s: e.state,
    a: e.attributes,
    c: e.context.id,
    lc: seconds(e.last_changed),
    ...(e.last_updated !== e.last_changed ? { lu: seconds(e.last_updated) } : {}),
  };
}

/** The `+`/`-` difference between two states, as subscribe_entities sends changes. */
function diff(old: EntityState, next: EntityState): Record<string, unknown> {
  const add: Record<string, unknown> = { c: next.context.id };
  if (old.state !== next.state) add.s = next.state;
  if (next.last_changed !== old.last_changed) add.lc = seconds(next.last_changed);
  else add.lu = seconds(next.last_updated);
  const changedAttrs = Object.fromEntries(Object.entries(next.attributes).filter(([k, v]) => JSON.stringify(old.attributes[k]) !== JSON.stringify(v)));
  if (Object.keys(changedAttrs).length > 0) add.a = changedAttrs;
  const removed = Object.keys(old.attributes).filter((k) => !(k in next.attributes));
  return removed.length > 0 ? { '+': add, '-': { a: removed } } : { '+': add };
}
