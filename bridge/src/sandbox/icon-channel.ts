/**
 * How an app's worker reads an icon for `mb_icon`: the icons live on the bridge's main thread
 * (uploads change them at any time), and host functions must return at once, so the worker posts
 * the name, sleeps on a shared flag, and takes the answer off its port, as http-channel.ts does.
 * The main thread answers from memory, without I/O. Only the frame showing now crosses (at most
 * 32x32 RGBA, 4 KiB), never a whole animation.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { type IconSource, iconFrameAt } from '../icons/icon';

/** One frame of an icon: width * height * 4 bytes of RGBA. */
export interface IconPixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** The worker's end; travels in WorkerInit (its port in the transfer list). */
export interface IconChannelEnd {
  port: MessagePort;
  /** One Int32: 0 while a lookup is out, 1 once its answer is on the port. */
  signal: SharedArrayBuffer;
}

export interface IconChannel {
  workerEnd: IconChannelEnd;
  close(): void;
}

/** Answers the worker's lookups from `icons` (none: every name is unknown). */
export function openIconChannel(icons: IconSource | undefined, now: () => number = Date.now): IconChannel {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  port1.on('message', (name: unknown) => {
    let answer: IconPixels | null = null;
    try {
      const icon = typeof name === 'string' ? icons?.get(name) : undefined;
      if (icon) answer = { width: icon.width, height: icon.height, rgba: iconFrameAt(icon, now()).rgba.slice() };
      port1.postMessage(answer, answer ? [answer.rgba.buffer as ArrayBuffer] : []);
    } catch {
      // A closed port: the app is going; waking the worker below is all that is left.
    } finally {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    }
  });
  // An idle line must not keep the process alive.
  port1.unref();
  return { workerEnd: { port: port2, signal }, close: () => port1.close() };
}

/** The worker side: blocks its thread until the bridge answers (from memory: at once). */
export class BlockingIconClient {
  private readonly flag: Int32Array;

  constructor(private readonly end: IconChannelEnd) {
    this.flag = new Int32Array(end.signal);
  }

  /** Closes the worker's end when its app is over (the thread may host another app next). */
  close(): void {
    this.end.port.close();
  }

  lookup(name: string): IconPixels | null {
    Atomics.store(this.flag, 0, 0);
    this.end.port.postMessage(name);
    // The bridge bounds the call by its time budget and stops this thread if it runs out.
    Atomics.wait(this.flag, 0, 0);
    const reply = receiveMessageOnPort(this.end.port);
    return reply ? (reply.message as IconPixels | null) : null;
  }
}
