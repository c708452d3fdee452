/** A WebSocket handshake as a browser or a plain client would make it, reduced to its status code. */
import { WebSocket, type ClientOptions } from 'ws';

export interface Handshake {
  status: number;
  /** The open socket when the handshake succeeded (status 101); the caller closes it. */
  socket?: WebSocket;
}

export function handshake(url: string, options: ClientOptions & { origin?: string } = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'mqtt', options);
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.once('error', (e) => reject(e));
  });
}

/** Closes a socket from a successful handshake and waits until it is closed. */
export function closeSocket(socket: WebSocket | undefined): Promise<void> {
  if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.terminate();
  });
}
