/**
 * Receives `P/cmd/#`, runs the matching handler and sends exactly one reply on
 * `P/response/<path>`: `{"ok":true,...data}` or `{"ok":false,"error":{code,message}}`, echoing the
 * request's `transaction`. Everything about a command (path, parser, lane, size limit) comes
 * from its descriptor in the contract (COMMANDS); its handler is in commands.ts. Commands run one
 * at a time in arrival order within their lane, so "install, then show" from one script behaves
 * as written, while a notification never waits behind an install being checked. Both queues
 * together are bounded.
 */
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

/** What the router needs of the MQTT connection. */
export type CommandTransport = Pick<MqttConnection, 'subscribe' | 'unsubscribe' | 'publish'>;

export class CommandRouter implements Part {
  readonly name = 'command router';
  private readonly lanes: Record<Lane, Promise<void>> = { apps: Promise.resolve(), display: Promise.resolve() };
  private queued = 0;
  private readonly onMessage = (topic: string, payload: Buffer): void => this.receive(topic, payload);

  constructor(
    private readonly mqtt: CommandTransport,
    private readonly topics: DeviceTopics,
    private readonly context: CommandContext,
    private readonly log: Logger,
    private readonly stopGraceMs = STOP_GRACE_MS,
  ) {}

  start(): void {
    this.mqtt.subscribe(this.topics.allCommands, this.onMessage);
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
    this.mqtt.unsubscribe(this.topics.allCommands, this.onMessage);
  }

  /** Resolves when every command received so far has been answered. */
  async idle(): Promise<void> {
    await Promise.all([this.lanes.apps, this.lanes.display]);
  }

  private receive(topic: string, payload: Buffer): void {
    const path = this.topics.commandPath(topic);
    if (path === undefined) return;
    if (this.queued >= MAX_QUEUED) {
      this.reply(path, payload, { error: { code: 'busy', message: `more than ${MAX_QUEUED} commands are waiting; try again` } });
      return;
    }
    this.queued++;
    const route = routeCommand(path);
    // An unknown path still takes its turn, so its reply keeps the order of the apps lane.
    const lane = route ? COMMANDS[route.name].lane : 'apps';
    this.lanes[lane] = this.lanes[lane].then(async () => {
      try {
        this.reply(path, payload, route ? await this.execute(path, route, payload) : unknownCommand(path));
      } finally {
        this.queued--;
      }
    });
  }

  private async execute(path: string, route: CommandRoute, payload: Buffer): Promise<Outcome> {
    const limit = COMMANDS[route.name].maxBytes;
    if (payload.length > limit) return { error: { code: 'too_large', message: `payload of ${payload.length} bytes is larger than the ${limit} allowed` } };
    try {
      return await run(route.name, this.context, payload, route.params);
    } catch (e) {
      const known = apiErrorOf(e);
      if (known) return { error: known };
      this.log.error(`command ${path} failed unexpectedly (a bug): ${describeUnexpected(e)}`);
      return { error: { code: 'internal', message: errorMessage(e) } };
    }
  }

  private reply(path: string, request: Buffer, outcome: Outcome): void {
    const transaction = transactionOf(request);
    const body = 'error' in outcome ? { ok: false, error: outcome.error } : { ok: true, ...outcome.data };
    if (transaction !== undefined) Object.assign(body, { transaction });
    if ('error' in outcome) this.log.debug(`cmd/${path} → ${outcome.error.code}: ${outcome.error.message}`);
    this.mqtt.publish(this.topics.response(path), JSON.stringify(body), { qos: 1 });
  }
}

/**
 * Checks the route parameters, parses the payload with the command's parser and hands the typed
 * request to its handler.
 */
async function run<K extends CommandName>(name: K, context: CommandContext, payload: Buffer, params: unknown): Promise<Outcome> {
  (ROUTE_CHECKS as Partial<Record<CommandName, (context: CommandContext, params: unknown) => void>>)[name]?.(context, params);
  const request = parseCommand(name, payload);
  if (!request.ok) return { error: request.error };
  const handler: CommandHandler<K> = HANDLERS[name];
  return { data: await handler(context, request.value, params as Parameters<CommandHandler<K>>[2]) };
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
