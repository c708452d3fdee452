/**
 * Answers resource-count requests over the IPC channel of a bridge started as a child process
 * with one (`stdio: [..., 'ipc']`, `child.send`). Only the process that spawned the bridge holds
 * that channel: nothing on the network, no MQTT client and no web page can reach it, so it needs
 * no login. A bridge started any other way (systemd, a shell) has no channel and this does nothing.
 */
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
