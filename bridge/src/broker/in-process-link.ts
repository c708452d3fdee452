/**
 * Two connected in-memory streams: what one end writes, the other reads. The bridge's own MQTT
 * client reaches the embedded broker this way, so no network client can pose as it, whatever
 * password or client id it sends. (Node 20 has no stream.duplexPair.)
 */
import { Duplex } from 'node:stream';

class LinkEnd extends Duplex {
  peer!: LinkEnd;
  /** A write waiting for the reader to ask for more (back-pressure). */
  private pendingWrite?: () => void;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed) return callback(new Error('the other end of the link is closed'));
    if (this.peer.push(chunk)) callback();
    else this.peer.pendingWrite = callback;
  }

  override _read(): void {
    const resume = this.pendingWrite;
    this.pendingWrite = undefined;
    resume?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A closed connection is closed for both sides, as a socket would be.
    if (!this.peer.destroyed) this.peer.destroy();
    const resume = this.pendingWrite;
    this.pendingWrite = undefined;
    resume?.();
    callback(error);
  }
}

export function linkPair(): [Duplex, Duplex] {
  const a = new LinkEnd();
  const b = new LinkEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
