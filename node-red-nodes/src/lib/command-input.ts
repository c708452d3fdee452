/**
 * The input side every command node shares: run the command, put the bridge's reply in
 * msg.payload, show the outcome as status, and end with exactly one done() or done(err) so that
 * Catch nodes see error replies, timeouts and bad input alike.
 */
import type { Result } from '@megabit/contract';
import type { DeviceLink } from './device-link';
import type { Node, NodeMessage } from './node-red';
import { CommandError, type ReplyBody } from './replies';

export type Execute = (msg: NodeMessage, link: DeviceLink) => Promise<ReplyBody & { ok: true }>;

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}

/** The status text after an `{"ok":true}` reply to `msg` (still as it came in); "ok" unless the node says more. */
export type DescribeReply = (reply: ReplyBody & { ok: true }, msg: NodeMessage) => string;

/** "ok", or for a group how many displays answered. */
function okText(reply: ReplyBody & { ok: true }): string {
  return Array.isArray(reply.replies) ? `ok (${reply.replies.length} displays)` : 'ok';
}

export function handleCommands(node: Node, link: DeviceLink | undefined, execute: Execute, describe: DescribeReply = okText): void {
  node.on('input', (msg, send, done) => {
    if (!link) {
      done(new Error('megabit: no device is configured for this node'));
      return;
    }
    node.status({ fill: 'blue', shape: 'dot', text: 'sending' });
    Promise.resolve()
      .then(() => execute(msg, link))
      .then(
        (reply) => {
          // Described before the reply replaces the payload, so the text can say what was asked.
          const text = describe(reply, msg);
          msg.payload = reply;
          node.status({ fill: 'green', shape: 'dot', text });
          send(msg);
          done();
        },
        (err: Error) => {
          if (err instanceof CommandError) msg.payload = err.reply;
          node.status({ fill: 'red', shape: 'ring', text: errorCode(err) });
          done(err);
        },
      );
  });
}

/** Turns a contract validation failure into the error a flow sees, before anything is sent. */
export class InvalidInputError extends Error {
  readonly code = 'invalid_input';

  constructor(what: string, message: string) {
    super(`megabit ${what}: ${message}`);
    this.name = 'InvalidInputError';
  }
}

/** The value of a contract parser's result, or an InvalidInputError naming the command. */
export function checked<T>(what: string, result: Result<T>): T {
  if (!result.ok) throw new InvalidInputError(what, result.error.message);
  return result.value;
}
