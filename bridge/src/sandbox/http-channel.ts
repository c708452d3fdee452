/**
 * A synchronous request/reply line from an app's worker to the bridge's main thread, for
 * `http_request`. Extism's foreground mode needs host functions to return at once, and fetch is
 * asynchronous, so the worker posts the request, sleeps on a shared flag, and takes the reply off
 * its port without going back to its event loop. The main thread does the I/O on its own event
 * loop, which guest code never blocks.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { HttpReply, HttpRequestSpec } from './http-permission';

/** The worker's end; travels in WorkerInit (its port in the transfer list). */
export interface HttpChannelEnd {
  port: MessagePort;
  /** One Int32: 0 while a request is out, 1 once its reply is on the port. */
  signal: SharedArrayBuffer;
}

export interface HttpChannel {
  workerEnd: HttpChannelEnd;
  /** Answers the worker's requests with `handle` (one at a time: the worker waits for each). */
  serve(handle: (request: HttpRequestSpec) => Promise<HttpReply>): void;
  close(): void;
}

export function openHttpChannel(): HttpChannel {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  return {
    workerEnd: { port: port2, signal },
    serve(handle) {
      const failed = (e: unknown): HttpReply => ({ error: `the bridge failed: ${e instanceof Error ? e.message : String(e)}` });
      port1.on('message', (request: HttpRequestSpec) => {
        void handle(request)
          .catch(failed)
          .then((reply) => {
            try {
              port1.postMessage(reply, 'body' in reply ? [reply.body.buffer as ArrayBuffer] : []);
            } catch (e) {
              // The reply could not be sent (a closed port, an uncloneable value): the worker
              // must still wake, and hears why from the port if it can.
              try {
                port1.postMessage(failed(e));
              } catch {
                // The port is gone with the app; waking the worker below is all that is left.
              }
            } finally {
              Atomics.store(flag, 0, 1);
              Atomics.notify(flag, 0);
            }
          });
      });
      // The fetch in flight keeps the process alive while it matters; an idle line must not.
      port1.unref();
    },
    close: () => port1.close(),
  };
}

/** The worker side: blocks its thread until the bridge answers. */
export class BlockingHttpClient {
  private readonly flag: Int32Array;

  constructor(private readonly end: HttpChannelEnd) {
    this.flag = new Int32Array(end.signal);
  }

  /** Closes the worker's end when its app is over (the thread may host another app next). */
  close(): void {
    this.end.port.close();
  }

  request(request: HttpRequestSpec): HttpReply {
    Atomics.store(this.flag, 0, 0);
    this.end.port.postMessage(request, request.body ? [request.body.buffer as ArrayBuffer] : []);
    // No timeout here: the bridge bounds the request by the call's time budget, and stops this
    // thread if the budget runs out anyway.
    Atomics.wait(this.flag, 0, 0);
    const reply = receiveMessageOnPort(this.end.port);
    return reply ? (reply.message as HttpReply) : { error: 'the bridge gave no answer' };
  }
}
