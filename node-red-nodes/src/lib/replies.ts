/**
 * Matches replies on `P/response/<path>` to the requests that caused them. A request whose JSON
 * can carry a `transaction` is matched by it; one that cannot (raw app data) is matched by order,
 * which holds because the bridge answers the commands it receives one at a time, in order.
 */
import type { ApiError } from '@megabit/contract';

export type ReplyBody = { ok: true; transaction?: string | number; [key: string]: unknown } | { ok: false; error: ApiError; transaction?: string | number };

/** An `{"ok":false}` reply; `reply` is the whole body so flows can inspect it. */
export class CommandError extends Error {
  readonly code: string;

  constructor(
    readonly path: string,
    readonly reply: ReplyBody & { ok: false },
  ) {
    super(`megabit ${path}: ${reply.error.message} (${reply.error.code})`);
    this.name = 'CommandError';
    this.code = reply.error.code;
  }
}

/** No reply came within the time limit. */
export class ReplyTimeoutError extends Error {
  readonly code = 'timeout';

  constructor(
    readonly path: string,
    timeoutMs: number,
  ) {
    super(`megabit ${path}: no reply within ${timeoutMs / 1000} s (is the bridge online?)`);
    this.name = 'ReplyTimeoutError';
  }
}

interface Pending {
  path: string;
  transaction?: string;
  resolve(reply: ReplyBody & { ok: true }): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface AwaitedReply {
  promise: Promise<ReplyBody & { ok: true }>;
  /** True once the reply came, or the request timed out or was abandoned. */
  isSettled(): boolean;
  abandon(err: Error): void;
}

function isReplyBody(value: unknown): value is ReplyBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.ok === true) return true;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.message === 'string';
}

export class ReplyMatcher {
  private readonly byTransaction = new Map<string, Pending>();
  private readonly inOrder = new Map<string, Pending[]>();
  private readonly prefix = `nr-${Math.random().toString(36).slice(2, 10)}`;
  private counter = 0;

  constructor(private readonly timeoutMs: number) {}

  /** A transaction id no other client uses. */
  nextTransaction(): string {
    this.counter += 1;
    return `${this.prefix}-${this.counter}`;
  }

  /**
   * Starts waiting for the reply to a request about to be sent; `transaction` undefined means
   * "match by order". The promise rejects with CommandError on an error reply, ReplyTimeoutError
   * after the limit, or the error given to `abandon` (e.g. the publish failed).
   */
  expect(path: string, transaction?: string): AwaitedReply {
    let pending!: Pending;
    const promise = new Promise<ReplyBody & { ok: true }>((resolve, reject) => {
      pending = {
        path,
        transaction,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.forget(pending);
          reject(new ReplyTimeoutError(path, this.timeoutMs));
        }, this.timeoutMs),
      };
    });
    if (transaction !== undefined) this.byTransaction.set(transaction, pending);
    else this.inOrder.set(path, [...(this.inOrder.get(path) ?? []), pending]);
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    return {
      promise,
      isSettled: () => settled,
      abandon: (err: Error) => {
        if (settled) return;
        this.forget(pending);
        pending.reject(err);
      },
    };
  }

  /** Hands a `P/response/<path>` message to the request it answers, if it is one of ours. */
  receive(path: string, payload: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (!isReplyBody(body)) return;
    const pending = body.transaction !== undefined ? this.byTransaction.get(String(body.transaction)) : this.inOrder.get(path)?.[0];
    if (!pending || pending.path !== path) return;
    this.forget(pending);
    if (body.ok) pending.resolve(body);
    else pending.reject(new CommandError(path, body));
  }

  /** Fails every waiting request, e.g. when the connection is closed for good. */
  rejectAll(reason: string): void {
    const all = [...this.byTransaction.values(), ...[...this.inOrder.values()].flat()];
    for (const pending of all) {
      this.forget(pending);
      pending.reject(new Error(`megabit ${pending.path}: ${reason}`));
    }
  }

  private forget(pending: Pending): void {
    clearTimeout(pending.timer);
    if (pending.transaction !== undefined) {
      this.byTransaction.delete(pending.transaction);
      return;
    }
    const queue = (this.inOrder.get(pending.path) ?? []).filter((p) => p !== pending);
    if (queue.length > 0) this.inOrder.set(pending.path, queue);
    else this.inOrder.delete(pending.path);
  }
}
