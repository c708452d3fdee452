/**
 * Receives `P/cmd/#`, runs the matching handler and sends exactly one reply on
 * `P/response/<path>`: `{"ok":true,...data}` or `{"ok":false,"error":{code,message}}`, echoing the
 * request's `transaction`. Everything about a command (path, parser, lane, size limit) comes
 * from its descriptor in the contract (COMMANDS); its handler is in commands.ts. Commands run one
 * at a time in arrival order within their lane, so "install, then show" from one script behaves
 * as written, while a notification never waits behind an install being checked. Both queues
 * together are bounded. Further sources (a display group's `<base>/group/<name>/cmd/#`) share
 * the lanes and the bound: a group's notification queues behind the display's own commands.
 */
import type { Delivery } from './commands';
import {
  COMMANDS,
  parseCommand,
  routeCommand,
  transactionOf,
  type ApiError,
  type CommandName,
  type CommandRoute,
  type DeviceTopics,
  type Lane,
} from '@megabit/contract';
import type { Part } from '../../part';
import type { MqttConnection } from '../connection';
import { HANDLERS, ROUTE_CHECKS, type CommandContext, type CommandHandler } from './commands';
import { apiErrorOf } from './error-codes';
import { errorMessage, type Logger } from '../../util/logger';

const MAX_QUEUED = 256;
/** How long stop() waits for the commands already received to be answered. */
export const STOP_GRACE_MS = 2000;

type Outcome = { data: object } | { error: ApiError };

/**
 * Commands from somewhere other than `P/cmd/#` (a display group): its subscription, how a topic
 * maps to a command path, the context its handlers run in, what it refuses, and where its
 * replies go.
 */
export interface CommandSource {
  readonly filter: string;
  commandPath(topic: string): string | undefined;
  readonly context: CommandContext;
  /** An error reply for a command this source does not take (an unknown path is refused anyway). */
  refuse(route: CommandRoute, path: string): ApiError | undefined;
  /** Publishes a reply, built as for `P/cmd/#`. */
  reply(path: string, body: Record<string, unknown>): void;
}

/** What the router needs of the MQTT connection. */
export type CommandTransport = Pick<MqttConnection, 'subscribe' | 'unsubscribe' | 'publish'>;

export class CommandRouter implements Part {
  readonly name = 'command router';
  private readonly lanes: Record<Lane, Promise<void>> = { apps: Promise.resolve(), display: Promise.resolve() };
  private queued = 0;
  private readonly sources: { source: CommandSource; onMessage: (topic: string, payload: Buffer, retained: boolean) => void }[] = [];

  constructor(
    private readonly mqtt: CommandTransport,
    topics: DeviceTopics,
    context: CommandContext,
    private readonly log: Logger,
    private readonly stopGraceMs = STOP_GRACE_MS,
  ) {
    this.addSource({
      filter: topics.allCommands,
      commandPath: (topic) => topics.commandPath(topic),
      context,
      refuse: () => undefined,
      reply: (path, body) => this.mqtt.publish(topics.response(path), JSON.stringify(body), { qos: 1 }),
    });
  }

  /** Takes commands from `source` too, once started (call before start). */
  addSource(source: CommandSource): this {
    this.sources.push({ source, onMessage: (topic, payload, retained) => this.receive(source, topic, payload, retained) });
    return this;
  }

  start(): void {
    for (const { source, onMessage } of this.sources) this.mqtt.subscribe(source.filter, onMessage);
  }

  /**
   * Answers the commands already received (so Ctrl-C does not drop a reply), waiting up to
   * stopGraceMs for a slow one, then unsubscribes. The MQTT connection and the device stop after
   * this part (parts stop in reverse start order), so the replies still go out.
   */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.stopGraceMs);
    });
    const answered = await Promise.race([
      this.idle().then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
    clearTimeout(timer);
    if (!answered) this.log.warn(`stopping with ${this.queued} command(s) unanswered after ${this.stopGraceMs / 1000} s`);
    for (const { source, onMessage } of this.sources) this.mqtt.unsubscribe(source.filter, onMessage);
  }

  /** Resolves when every command received so far has been answered. */
  async idle(): Promise<void> {
    await Promise.all([this.lanes.apps, this.lanes.display]);
  }

  private receive(source: CommandSource, topic: string, payload: Buffer, retained = false): void {
    const path = source.commandPath(topic);
    if (path === undefined) return;
    if (this.queued >= MAX_QUEUED) {
      this.reply(source, path, payload, { error: { code: 'busy', message: `more than ${MAX_QUEUED} commands are waiting; try again` } });
      return;
    }
    this.queued++;
    const route = routeCommand(path);
    const refused = route && source.refuse(route, path);
    // An unknown path still takes its turn, so its reply keeps the order of the apps lane.
    const lane = route ? COMMANDS[route.name].lane : 'apps';
    this.lanes[lane] = this.lanes[lane].then(async () => {
      try {
        const outcome = refused ? { error: refused } : route ? await this.execute(source, path, route, payload, retained) : unknownCommand(path);
        this.reply(source, path, payload, outcome);
      } finally {
        this.queued--;
      }
    });
  }

  private async execute(source: CommandSource, path: string, route: CommandRoute, payload: Buffer, retained: boolean): Promise<Outcome> {
    const limit = COMMANDS[route.name].maxBytes;
    if (payload.length > limit) return { error: { code: 'too_large', message: `payload of ${payload.length} bytes is larger than the ${limit} allowed` } };
    try {
      return await run(route.name, source.context, payload, route.params, { retained });
    } catch (e) {
      const known = apiErrorOf(e);
      if (known) return { error: known };
      this.log.error(`command ${path} failed unexpectedly (a bug): ${describeUnexpected(e)}`);
      return { error: { code: 'internal', message: errorMessage(e) } };
    }
  }

  private reply(source: CommandSource, path: string, request: Buffer, outcome: Outcome): void {
    const transaction = transactionOf(request);
    const body: Record<string, unknown> = 'error' in outcome ? { ok: false, error: outcome.error } : { ok: true, ...outcome.data };
    if (transaction !== undefined) Object.assign(body, { transaction });
    if ('error' in outcome) this.log.debug(`${source.filter.slice(0, -1)}${path} → ${outcome.error.code}: ${outcome.error.message}`);
    source.reply(path, body);
  }
}

/**
 * Checks the route parameters, parses the payload with the command's parser and hands the typed
 * request to its handler.
 */
async function run<K extends CommandName>(name: K, context: CommandContext, payload: Buffer, params: unknown, delivery: Delivery): Promise<Outcome> {
  (ROUTE_CHECKS as Partial<Record<CommandName, (context: CommandContext, params: unknown) => void>>)[name]?.(context, params);
  const request = parseCommand(name, payload);
  if (!request.ok) return { error: request.error };
  const handler: CommandHandler<K> = HANDLERS[name];
  return { data: await handler(context, request.value, params as Parameters<CommandHandler<K>>[2], delivery) };
}

function unknownCommand(path: string): Outcome {
  return { error: { code: 'unknown_command', message: `unknown command "${path}" (see docs/mqtt-api.md)` } };
}

/** One line: the error and where it was thrown, so a bug report has the place without a stack dump. */
function describeUnexpected(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const at = e.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return `${e.name}: ${e.message}${at ? ` (${at})` : ''}`;
}
