/**
 * WebSocket handshakes on an HTTP server of the bridge's own, with `ws` loaded and its server made
 * on the first one (on-first-use.ts says why): the page's /mqtt and the embedded broker's plain
 * WebSocket port. Each accepted WebSocket becomes a stream of MQTT bytes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerOptions, WebSocketServer } from 'ws';
import { wsModule } from './on-first-use';

export class WebSocketUpgrades {
  private server?: WebSocketServer;

  /** `ws`'s server options (message cap, Origin check, subprotocol); `noServer` is set here. */
  constructor(private readonly options: Omit<ServerOptions, 'noServer' | 'server' | 'port' | 'host'>) {}

  /** Completes (or refuses, per the options) the handshake of an HTTP server's `upgrade` event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, onStream: (stream: Duplex) => void): void {
    const ws = wsModule();
    this.server ??= new ws.WebSocketServer({ ...this.options, noServer: true });
    this.server.handleUpgrade(req, socket, head, (client) => onStream(ws.createWebSocketStream(client)));
  }

  /** Ends every WebSocket it accepted; a later handshake makes a new server. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
