/**
 * How every server of the bridge listens (the broker's TCP and WebSocket ports, its TLS
 * listeners, the page's HTTP server).
 */
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import { errorMessage, type Logger } from './logger';

function portError(e: Error, port: number, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new Error(
      `${what}: port ${port} is already in use (another bridge or broker running? set another port in megabit.yaml, or mqtt.url to use its broker)`,
    );
  if (code === 'EACCES') return new Error(`${what}: no permission to listen on port ${port}`);
  return e;
}

/**
 * Listens, or rejects with the port's problem said plainly. Once listening, a server's later
 * errors (an accept that fails, e.g. with no file descriptor left) are logged: Node emits them on
 * the server, and an error nobody listens to would end the bridge.
 */
export function listen(server: Server | HttpServer, port: number, host: string, what: string, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(portError(e, port, what));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', (e: Error) => log.warn(`${what}: ${errorMessage(e)}`));
      resolve();
    });
  });
}
