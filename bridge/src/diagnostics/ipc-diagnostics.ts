/**
 * Resource-count requests over the IPC channel of a bridge started as a child process
 * with one (`stdio: [..., 'ipc']`, `child.send`). Only the process that spawned the bridge holds
 * that channel: nothing on the network, no MQTT client and no web page can reach it, so it needs
 * no login. A bridge started any other way (systemd, a shell) has no channel and this does nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { type CountSources, readResourceCounts, type ResourceCounts } from './resource-counts';

/** The request a parent sends: `{ type: COUNTS_REQUEST, id, gc? }`. */
export const COUNTS_REQUEST = 'megabit:resource-counts';
/** The answer: `{ type: COUNTS_REPLY, id, counts }`. */
export const COUNTS_REPLY = 'megabit:resource-counts-reply';

export interface CountsRequest {
  type: typeof COUNTS_REQUEST;
  id: number;
  /** Run a full garbage collection first (needs node --expose-gc). */
  gc?: boolean;
}

export interface CountsReply {
  type: typeof COUNTS_REPLY;
  id: number;
  counts: ResourceCounts;
}

/** Starts answering; returns what stops it. */
export function answerCountsOverIpc(sources: CountSources): () => void {
  const send = process.send?.bind(process);
  if (!send || !process.channel) return () => undefined;
  // The channel must not keep a stopping bridge alive.
  process.channel.unref();
  const onMessage = (message: unknown): void => {
    if (!isCountsRequest(message)) return;
    const reply: CountsReply = { type: COUNTS_REPLY, id: message.id, counts: readResourceCounts(sources, { gc: message.gc }) };
    send(reply);
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

function isCountsRequest(message: unknown): message is CountsRequest {
  const m = message as Partial<CountsRequest> | null;
  return typeof m === 'object' && m !== null && m.type === COUNTS_REQUEST && typeof m.id === 'number';
}

/** How long a parent waits for an answer before giving up. */
const ASK_TIMEOUT_MS = 10_000;

/**
 * The parent's side: asks the bridge running as `child` (spawned with an IPC channel) for its
 * counts. `id` tells this answer from others in flight; `gc` as in CountsRequest.
 */
export function askCountsOverIpc(child: ChildProcess, id: number, gc = false): Promise<ResourceCounts> {
  if (!child.connected) return Promise.reject(new Error('the bridge has no diagnostics channel (start it with an IPC channel and --expose-gc)'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the bridge did not answer a counts request within ${ASK_TIMEOUT_MS / 1000} s`));
    }, ASK_TIMEOUT_MS);
    const onMessage = (message: unknown): void => {
      const reply = message as Partial<CountsReply>;
      if (reply?.type !== COUNTS_REPLY || reply.id !== id || !reply.counts) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reply.counts);
    };
    child.on('message', onMessage);
    const request: CountsRequest = { type: COUNTS_REQUEST, id, ...(gc ? { gc: true } : {}) };
    child.send(request);
  });
}
