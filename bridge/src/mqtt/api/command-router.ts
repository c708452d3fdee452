/**
 * Receives `P/cmd/#`, runs the matching handler and sends exactly one reply on
 * `P/response/<path>`: `{"ok":true,...data}` or `{"ok":false,"error":{code,message}}`, echoing the
 * request's `transaction`. Commands run one at a time in arrival order within their lane, so
 * "install, then show" from one script behaves as written. Two lanes: what changes the installed
 * apps or picks among them waits its turn behind an install (which takes tens of ms to check the
 * module); what only touches the picture (notifications, power, brightness, button, screen,
 * rotation) never waits behind one. Both queues together are bounded.
 */
import {
  CMD, MAX_COMMAND_BYTES, MAX_INSTALL_BYTES, routeCommand, transactionOf,
  type ApiError, type DeviceTopics,
} from '@megabit/contract';
import type { MqttConnection } from '../connection';
import { APP_COMMANDS, COMMANDS, type CommandContext, type CommandData } from './commands';
import { apiErrorOf } from './error-codes';
import { errorMessage, type Logger } from '../../util/logger';

const MAX_QUEUED = 256;

/** Commands that neither change the installed apps nor depend on them finishing a change. */
const DISPLAY_LANE = new Set<string>([CMD.notify, CMD.notifyDismiss, CMD.display, CMD.button, CMD.screen, CMD.rotation]);

export class CommandRouter {
  private readonly lanes = { apps: Promise.resolve(), display: Promise.resolve() };
  private queued = 0;
  private readonly onMessage = (topic: string, payload: Buffer): void => this.receive(topic, payload);

  constructor(
    private readonly mqtt: MqttConnection,
    private readonly topics: DeviceTopics,
    private readonly context: CommandContext,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.mqtt.subscribe(this.topics.allCommands, this.onMessage);
  }

  stop(): void {
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
    const lane = DISPLAY_LANE.has(path) ? 'display' : 'apps';
    this.lanes[lane] = this.lanes[lane].then(async () => {
      try {
        this.reply(path, payload, await this.execute(path, payload));
      } finally {
        this.queued--;
      }
    });
  }

  private async execute(path: string, payload: Buffer): Promise<{ data: CommandData } | { error: ApiError }> {
    const route = routeCommand(path);
    if (!route) return { error: { code: 'unknown_command', message: `unknown command "${path}" (see docs/mqtt-api.md)` } };
    const limit = path === CMD.appsInstall || path === CMD.appsPreview ? MAX_INSTALL_BYTES : MAX_COMMAND_BYTES;
    if (payload.length > limit) return { error: { code: 'too_large', message: `payload of ${payload.length} bytes is larger than the ${limit} allowed` } };
    const handler = route.kind === 'fixed' ? COMMANDS[route.path] : APP_COMMANDS[route.kind];
    try {
      return { data: await handler(this.context, payload, route) };
    } catch (e) {
      const known = apiErrorOf(e);
      if (known) return { error: known };
      this.log.error(`command ${path} failed unexpectedly (a bug): ${describeUnexpected(e)}`);
      return { error: { code: 'internal', message: errorMessage(e) } };
    }
  }

  private reply(path: string, request: Buffer, outcome: { data: CommandData } | { error: ApiError }): void {
    const transaction = transactionOf(request);
    const body = 'error' in outcome
      ? { ok: false, error: outcome.error }
      : { ok: true, ...outcome.data };
    if (transaction !== undefined) Object.assign(body, { transaction });
    if ('error' in outcome) this.log.debug(`cmd/${path} → ${outcome.error.code}: ${outcome.error.message}`);
    this.mqtt.publish(this.topics.response(path), JSON.stringify(body), { qos: 1 });
  }
}

/** One line: the error and where it was thrown, so a bug report has the place without a stack dump. */
function describeUnexpected(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const at = e.stack?.split('\n').find((line) => line.trimStart().startsWith('at '))?.trim();
  return `${e.name}: ${e.message}${at ? ` (${at})` : ''}`;
}
