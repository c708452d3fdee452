/**
 * Commands the page sends. Each carries a transaction id so that the reply on `P/response/...`
 * can be told apart from replies to other clients sharing the broker; failed replies to our own
 * commands are reported.
 */
import type { ApiError, ButtonAction, DeviceTopics, NotifyRequest } from '@megabit/contract';
import { CMD, parseNotify } from '@megabit/contract';

export interface CommandFailure {
  command: string;
  error: ApiError;
}

/** Replies later than this are not waited for any more. */
const REPLY_WAIT_MS = 60_000;

export class Commands {
  private readonly pending = new Map<string, { command: string; at: number }>();
  private sequence = 0;
  private readonly session = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly publish: (topic: string, payload: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  button(topics: DeviceTopics, action: ButtonAction): void {
    this.send(topics, CMD.button, { button: 'main', action });
  }

  nextApp(topics: DeviceTopics): void {
    this.send(topics, CMD.appNext, {});
  }

  previousApp(topics: DeviceTopics): void {
    this.send(topics, CMD.appPrevious, {});
  }

  showApp(topics: DeviceTopics, id: string): void {
    this.send(topics, CMD.app, { id });
  }

  /** Checked with the contract's own parser first, so a bad field is reported before sending. */
  notify(topics: DeviceTopics, request: NotifyRequest): ApiError | undefined {
    const checked = parseNotify(JSON.stringify(request));
    if (!checked.ok) return checked.error;
    this.send(topics, CMD.notify, { ...checked.value });
    return undefined;
  }

  /** A message on `P/response/<command>`: the failure it reports, if it answers one of ours. */
  reply(topics: DeviceTopics, topic: string, payload: Uint8Array): CommandFailure | undefined {
    const head = topics.response('');
    if (!topic.startsWith(head)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return undefined;
    }
    if (typeof body !== 'object' || body === null) return undefined;
    const reply = body as { ok?: unknown; error?: unknown; transaction?: unknown };
    if (typeof reply.transaction !== 'string' || !this.pending.has(reply.transaction)) return undefined;
    const sent = this.pending.get(reply.transaction)!;
    this.pending.delete(reply.transaction);
    if (reply.ok !== false) return undefined;
    const error = reply.error as Partial<ApiError> | undefined;
    return {
      command: sent.command,
      error: {
        code: typeof error?.code === 'string' ? error.code : 'internal',
        message: typeof error?.message === 'string' ? error.message : 'the bridge gave no reason',
      } as ApiError,
    };
  }

  private send(topics: DeviceTopics, command: string, body: Record<string, unknown>): void {
    this.forgetOld();
    const transaction = `sim-${this.session}-${++this.sequence}`;
    this.pending.set(transaction, { command, at: this.now() });
    this.publish(topics.cmd(command), JSON.stringify({ ...body, transaction }));
  }

  private forgetOld(): void {
    const limit = this.now() - REPLY_WAIT_MS;
    for (const [id, sent] of this.pending) if (sent.at < limit) this.pending.delete(id);
  }
}
