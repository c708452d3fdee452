/**
 * Two connected in-memory byte channels, like the two ends of a serial cable, with knobs the
 * link tests need: a byte rate (a slow link backs up, `writableLength` shows it), a filter
 * that may drop or change bytes, and closing one end (unplugging).
 */
import { EventEmitter } from 'node:events';
import type { ByteChannel } from '../../../src/serial/byte-channel';

export class MemoryEnd extends EventEmitter implements ByteChannel {
  peer!: MemoryEnd;
  /** Bytes a 10 ms tick carries toward the peer; Infinity = at once. */
  bytesPerTick = Infinity;
  /** Applied to each chunk this end writes: return fewer, other or no bytes. */
  filter?: (chunk: Uint8Array) => Uint8Array;
  closed = false;
  private pending: Uint8Array[] = [];
  private timer?: NodeJS.Timeout;

  get writableLength(): number {
    return this.pending.reduce((n, c) => n + c.length, 0);
  }

  write(data: Uint8Array): boolean {
    if (this.closed) return false;
    const chunk = this.filter ? this.filter(Uint8Array.from(data)) : Uint8Array.from(data);
    if (chunk.length === 0) return true;
    this.pending.push(chunk);
    this.timer ??= setTimeout(() => this.deliver(), this.bytesPerTick === Infinity ? 0 : 10);
    return true;
  }

  close(): void {
    if (this.closed) return;
    for (const end of [this, this.peer]) {
      end.closed = true;
      clearTimeout(end.timer);
      end.pending = [];
      end.emit('close');
    }
  }

  private deliver(): void {
    this.timer = undefined;
    if (this.closed) return;
    let budget = this.bytesPerTick;
    const out: Uint8Array[] = [];
    while (this.pending.length > 0 && budget > 0) {
      const head = this.pending[0];
      const take = Math.min(head.length, budget);
      out.push(head.subarray(0, take));
      budget -= take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    if (out.length > 0) this.peer.emit('data', Buffer.concat(out));
    if (this.pending.length > 0) this.timer = setTimeout(() => this.deliver(), this.bytesPerTick === Infinity ? 0 : 10);
  }
}

export function memoryChannelPair(): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
