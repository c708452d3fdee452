/** Writes straight to the port's descriptor, the rest through serialport's stream, in order. */
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectWritePort, type PortStream, type TryWrite, tryWriteSync } from '../../src/serial/direct-write';
import { openSerialChannel } from '../../src/serial/port-opener';
import { waitUntil } from '../helpers/ports';

/** serialport's stream as the channel sees it: what was written through it, and its backlog. */
class FakeStream extends EventEmitter implements PortStream {
  readonly written: number[][] = [];
  writableLength = 0;
  port?: { fd?: number | null } = { fd: 7 };

  write(data: Uint8Array): boolean {
    this.written.push([...data]);
    this.writableLength += data.length;
    return true;
  }
}

/** A descriptor that takes `room` bytes more, then says "try again"; or throws `error`. */
function descriptor(room: number, error?: NodeJS.ErrnoException) {
  const fd = {
    room,
    taken: [] as number[],
    tryWrite: ((at, data) => {
      expect(at).toBe(7);
      if (error) throw error;
      const n = Math.min(fd.room, data.length);
      fd.room -= n;
      fd.taken.push(...data.subarray(0, n));
      return n;
    }) as TryWrite,
  };
  return fd;
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('DirectWritePort', () => {
  it('hands a write to the descriptor at once when the stream holds nothing', () => {
    const stream = new FakeStream();
    const fd = descriptor(100);
    const port = new DirectWritePort(stream, fd.tryWrite);
    port.write(bytes(1, 2, 3));
    port.write(bytes(4, 5));
    expect(fd.taken).toEqual([1, 2, 3, 4, 5]);
    expect(stream.written).toEqual([]);
    expect(port.directBytes).toBe(5);
  });

  it('gives the stream what the descriptor did not take, and every later write until the stream drains', () => {
    const stream = new FakeStream();
    const fd = descriptor(2);
    const port = new DirectWritePort(stream, fd.tryWrite);
    port.write(bytes(1, 2, 3, 4));
    port.write(bytes(5));
    expect(fd.taken).toEqual([1, 2]);
    expect(stream.written).toEqual([[3, 4], [5]]);
    expect(port.writableLength).toBe(3);
    // Drained, and the descriptor has room again: the next write goes straight again.
    stream.writableLength = 0;
    fd.room = 10;
    port.write(bytes(6));
    expect(fd.taken).toEqual([1, 2, 6]);
    expect(stream.written).toHaveLength(2);
  });

  it('leaves an error to the stream, which meets it on its own write', () => {
    const stream = new FakeStream();
    const error = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    const port = new DirectWritePort(stream, descriptor(100, error).tryWrite);
    port.write(bytes(1, 2));
    expect(stream.written).toEqual([[1, 2]]);
    expect(port.directBytes).toBe(0);
  });

  it('uses the stream alone while the port has no descriptor', () => {
    const stream = new FakeStream();
    stream.port = undefined;
    const fd = descriptor(100);
    const port = new DirectWritePort(stream, fd.tryWrite);
    port.write(bytes(9));
    expect(fd.taken).toEqual([]);
    expect(stream.written).toEqual([[9]]);
  });

  it('passes data, close and error listeners to the stream and takes them off again', () => {
    const stream = new FakeStream();
    const port = new DirectWritePort(stream, descriptor(0).tryWrite);
    const seen: string[] = [];
    const onData = (chunk: Buffer): void => void seen.push(chunk.toString());
    port.on('data', onData);
    stream.emit('data', Buffer.from('a'));
    port.off('data', onData);
    stream.emit('data', Buffer.from('b'));
    expect(seen).toEqual(['a']);
  });
});

describe('tryWriteSync', () => {
  it('writes what a non-blocking pipe takes and returns 0, not an error, once it is full', () => {
    const dir = mkdtempSync(join(tmpdir(), 'megabit-direct-write-'));
    const fifo = join(dir, 'fifo');
    let reader: number | undefined;
    let writer: number | undefined;
    try {
      execFileSync('mkfifo', [fifo]);
      reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      const chunk = new Uint8Array(4096).fill(0x5a);
      let total = 0;
      let written = tryWriteSync(writer, chunk);
      while (written > 0) {
        total += written;
        written = tryWriteSync(writer, chunk);
      }
      expect(total).toBeGreaterThan(0);
      const back = new Uint8Array(16);
      expect(readSync(reader, back)).toBe(16);
      expect([...back]).toEqual(new Array(16).fill(0x5a));
    } finally {
      if (writer !== undefined) closeSync(writer);
      if (reader !== undefined) closeSync(reader);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the port the bridge opens', () => {
  it('writes straight to the descriptor of a real pty, and the bytes arrive in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'megabit-direct-write-'));
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    const socat = spawn('socat', [`PTY,link=${a},raw,echo=0`, `PTY,link=${b},raw,echo=0`], { stdio: 'ignore' });
    try {
      await waitUntil(() => existsSync(a) && existsSync(b), 'socat making the two ptys');
      const near = await openSerialChannel(a);
      const far = await openSerialChannel(b);
      try {
        const received: number[] = [];
        far.channel.on('data', (chunk: Buffer) => void received.push(...chunk));
        expect(near.channel).toBeInstanceOf(DirectWritePort);
        for (let i = 0; i < 50; i++) near.channel.write(Uint8Array.from([i, i + 1, i + 2]));
        await waitUntil(() => received.length === 150, 'the 150 bytes at the far end');
        expect(received).toEqual(Array.from({ length: 50 }, (_, i) => [i, i + 1, i + 2]).flat());
        expect((near.channel as DirectWritePort).directBytes).toBeGreaterThan(0);
      } finally {
        await near.close();
        await far.close();
      }
    } finally {
      socat.kill();
      await new Promise((resolve) => (socat.exitCode === null ? socat.once('exit', resolve) : resolve(undefined)));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
