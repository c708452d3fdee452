/**
 * A serial port whose writes reach the kernel in the call that makes them. serialport writes
 * each chunk with an asynchronous `fs.write` in libuv's thread pool and starts the next only when
 * that one has finished, so a burst of packets (a window's worth) went out one thread-pool round
 * trip per packet, and a reaction frame's first packet waited behind them and behind whatever
 * else the pool was doing (on the bench's loaded machine, packet handed to the port -> write
 * finished p50 1 ms, p90 4-19 ms). The port is opened non-blocking, so a write(2) straight on its
 * descriptor copies into the tty's buffer at once or says EAGAIN; whatever it does not take goes
 * to serialport's stream as before, and so does every later write until the stream has drained:
 * the bytes keep their order. An error other than a full buffer is left to the stream too, which
 * meets it on its own write and reports it (a disconnect closes the port) as it always did.
 */
import { writeSync } from 'node:fs';
import type { ByteChannel } from './byte-channel';

/** The stream serialport gives: a ByteChannel whose open binding has the descriptor. */
export interface PortStream extends ByteChannel {
  /** serialport's binding once open; `fd` on Linux and macOS. */
  readonly port?: { readonly fd?: number | null };
}

/** Writes as much as the descriptor takes now; returns how many bytes (0 when it would block). */
export type TryWrite = (fd: number, data: Uint8Array) => number;

const WOULD_BLOCK = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** One non-blocking write(2); errors other than "try again" are thrown. */
export const tryWriteSync: TryWrite = (fd, data) => {
  try {
    return writeSync(fd, data);
  } catch (e) {
    if (WOULD_BLOCK.has((e as NodeJS.ErrnoException).code ?? '')) return 0;
    throw e;
  }
};

export class DirectWritePort implements ByteChannel {
  /** Bytes that went straight to the descriptor (the rest went through the stream). */
  directBytes = 0;

  constructor(
    private readonly stream: PortStream,
    private readonly tryWrite: TryWrite = tryWriteSync,
  ) {}

  write(data: Uint8Array): unknown {
    const fd = this.stream.port?.fd;
    // Anything still in the stream goes first; `writableLength` counts the chunk being written.
    if (typeof fd !== 'number' || this.stream.writableLength > 0) return this.stream.write(data);
    let written: number;
    try {
      written = this.tryWrite(fd, data);
    } catch {
      // The stream meets the same error on its own write and handles it as it always has.
      return this.stream.write(data);
    }
    this.directBytes += written;
    return written < data.length ? this.stream.write(data.subarray(written)) : true;
  }

  get writableLength(): number {
    return this.stream.writableLength;
  }

  on(event: 'data' | 'close' | 'error', listener: (...args: never[]) => void): this {
    (this.stream.on as (event: string, listener: (...args: never[]) => void) => unknown)(event, listener);
    return this;
  }

  off(event: 'data' | 'close' | 'error', listener: (...args: never[]) => void): this {
    (this.stream.off as (event: string, listener: (...args: never[]) => void) => unknown)(event, listener);
    return this;
  }
}
