/**
 * A short plain-text HTTP answer written straight to a socket, for the places where Node gives a
 * socket and no response object: a refused WebSocket upgrade, a connection over the cap, a request
 * Node's parser could not read.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function replyAndClose(socket: Duplex, status: number, text: string, extraHeaders: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = `${text}\n`;
  const headers = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Referrer-Policy': 'no-referrer',
    Connection: 'close',
    ...extraHeaders,
  };
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.on('error', () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Whatever the client is still sending is read and dropped: closing a socket with unread data
  // makes the kernel reset it, and the client could lose the answer.
  socket.resume();
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 2000).unref();
}
