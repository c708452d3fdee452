/**
 * Matches replies on `P/response/<path>` to the requests that caused them. A request whose JSON
 * can carry a `transaction` is matched by it; one that cannot (raw app data) is matched by order,
 * which holds because the bridge answers the commands it receives one at a time, in order.
 *
 * A display group has no coordinator and no "all done" reply: every member answers on
 * `<base>/group/<name>/response/<path>` with its `device_id`. For a group the matcher collects
 * them: from the first reply on, it waits `windowMs` for more (or until every listed member has
 * answered), then settles with all of them (GroupReply), or rejects if any member refused.
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

/** A group's collected answer: every member's reply (with its `device_id`), in arrival order. */
export type GroupReply = { ok: true; group: string; replies: Array<ReplyBody & { device_id?: string }> };

/** How a group's replies are collected. */
export interface GroupCollect {
  group: string;
  /** How long to wait for more replies after the first. */
  windowMs: number;
  /** The members expected to answer, if known: when all have, the wait ends at once. */
  members?: readonly string[];
}

/** Most replies one group command collects: anyone who can publish to the group's topics could send more. */
export const MAX_GROUP_REPLIES = 256;

function deviceOf(reply: ReplyBody): string {
  const id = (reply as { device_id?: unknown }).device_id;
  return typeof id === 'string' ? id : '?';
}

/** The error for a group command that some members refused; `reply.replies` holds every member's reply. */
function groupRefusal(path: string, collect: GroupCollect, replies: ReplyBody[]): CommandError {
  const refused = replies.filter((r): r is ReplyBody & { ok: false } => !r.ok);
  const first = refused[0].error;
  // CommandError adds the first code; every member's own is in its reply.
  const who = refused.map((r) => `${deviceOf(r)}: ${r.error.message}`).join('; ');
  const message = `${refused.length} of ${replies.length} displays of group "${collect.group}" refused: ${who}`;
  return new CommandError(path, { ok: false, error: { code: first.code, message }, group: collect.group, replies } as ReplyBody & { ok: false });
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
  /** A group's replies so far. */
  collected: ReplyBody[];
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

  /** `collect` set: the replies come from a group's members and are collected (see above). */
  constructor(
    private readonly timeoutMs: number,
    private readonly collect?: GroupCollect,
  ) {}

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
        collected: [],
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
    if (this.collect) {
      this.gather(pending, body, this.collect);
      return;
    }
    this.forget(pending);
    if (body.ok) pending.resolve(body);
    else pending.reject(new CommandError(path, body));
  }

  /** One more member's reply: the first starts the wait for the rest; the last expected ends it. */
  private gather(pending: Pending, body: ReplyBody, collect: GroupCollect): void {
    pending.collected.push(body);
    const settle = () => {
      this.forget(pending);
      const replies = pending.collected;
      if (replies.some((r) => !r.ok)) pending.reject(groupRefusal(pending.path, collect, replies));
      else pending.resolve({ ok: true, group: collect.group, replies } as GroupReply);
    };
    const answered = new Set(pending.collected.map(deviceOf));
    const allMembers = collect.members !== undefined && collect.members.length > 0 && collect.members.every((m) => answered.has(m));
    if (allMembers || pending.collected.length >= MAX_GROUP_REPLIES) {
      settle();
      return;
    }
    if (pending.collected.length === 1) {
      clearTimeout(pending.timer);
      pending.timer = setTimeout(settle, collect.windowMs);
    }
  }

  /** How many requests wait for their reply (or, in a group, for the end of its collection). */
  get waiting(): number {
    let count = this.byTransaction.size;
    for (const queue of this.inOrder.values()) count += queue.length;
    return count;
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
