/** HTTP spoken by hand over a socket: for requests no well-behaved client library would send. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawAnswer {
  /** Status code of the first response, or undefined when the server closed without one. */
  status?: number;
  head: string;
  body: string;
  /** The socket was closed by the server (rather than left open when the wait ended). */
  closed: boolean;
}

export function parseAnswer(raw: string, closed: boolean): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return { status: m ? Number(m[1]) : undefined, head, body: end < 0 ? '' : raw.slice(end + 4), closed };
}

/**
 * Sends `request` as is and collects what comes back until the server closes the socket or
 * `waitMs` passes (for a keep-alive answer, pass a short wait).
 */
export function rawRequest(port: number, request: string | Buffer, waitMs = 3000, tls = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }) : connect(port, '127.0.0.1');
    let data = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(data, closed));
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on(tls ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? finish(true) : reject(e)));
  });
}

/** A GET request line with headers, as bytes (latin1 keeps any byte the test puts in). */
export function get(target: string, headers: Record<string, string> = { Host: '127.0.0.1' }, method = 'GET'): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close', '', ''];
  return Buffer.from(lines.join('\r\n'), 'latin1');
}
