/**
 * The embedded broker's TLS listeners (`broker.tls`): MQTT over TLS (mqtts) and MQTT over secure
 * WebSocket (wss), beside the plain ones. They only terminate TLS: every connection becomes one
 * more stream for the broker's `handle`, so logins, ACL and limits are the same on every listener.
 */
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Part } from '../part';
import type { Logger } from '../util/logger';
import { readPemFile as pem } from '../util/pem-file';
import { listen } from '../util/listen';
import { verifyClientOption } from './websocket-verify';

export interface TlsListenerOptions {
  host: string;
  port: number;
  wsPort: number;
  cert: string;
  key: string;
  ca?: string;
  requireCertificate: boolean;
  /** Largest WebSocket message: the broker's packet limit. */
  maxPacketBytes: number;
  /** Whether a WebSocket handshake may go on (the web page's Origin); refused ones get 403. */
  verifyWebSocket?: (req: IncomingMessage) => boolean;
  /** The broker's `handle`: every accepted connection, once TLS is through. */
  handle: (stream: Duplex) => void;
}

export class TlsListeners implements Part {
  readonly name = 'broker TLS listeners';
  private tls?: TlsServer;
  private https?: HttpsServer;
  private ws?: WebSocketServer;
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly options: TlsListenerOptions,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { options } = this;
    const { handle } = options;
    const secure = {
      cert: pem(options.cert, 'broker.tls.cert'),
      key: pem(options.key, 'broker.tls.key'),
      ca: options.ca === undefined ? undefined : pem(options.ca, 'broker.tls.ca'),
      // With require_certificate a client must show a certificate that chains to `ca`.
      requestCert: options.requireCertificate,
      rejectUnauthorized: options.requireCertificate,
      minVersion: 'TLSv1.2' as const,
    };
    if (options.requireCertificate && secure.ca === undefined)
      throw new Error('broker.tls.require_certificate needs broker.tls.ca: the CA client certificates must chain to');
    const track = (socket: Duplex): void => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    };
    this.tls = createTlsServer(secure, (socket: TLSSocket) => {
      socket.setNoDelay(true);
      track(socket);
      socket.on('error', () => socket.destroy());
      handle(socket);
    });
    // A failed handshake is the client's problem, never the broker's.
    this.tls.on('tlsClientError', (e) => this.log.debug(`TLS client refused: ${e.message}`));
    await listen(this.tls, options.port, options.host, 'MQTT over TLS (broker.tls.port)', this.log);

    this.https = createHttpsServer(secure);
    this.https.on('tlsClientError', (e) => this.log.debug(`TLS WebSocket client refused: ${e.message}`));
    this.ws = new WebSocketServer({
      server: this.https,
      maxPayload: options.maxPacketBytes,
      ...verifyClientOption(options.verifyWebSocket),
    });
    this.ws.on('connection', (socket) => {
      const stream = createWebSocketStream(socket);
      track(stream);
      stream.on('error', () => stream.destroy());
      handle(stream);
    });
    await listen(this.https, options.wsPort, options.host, 'MQTT over secure WebSocket (broker.tls.ws_port)', this.log);
    this.log.info(
      `TLS listeners on mqtts://${options.host}:${this.port} and wss://${options.host}:${this.wsPort}${options.requireCertificate ? ' (client certificates required)' : ''}`,
    );
  }

  get port(): number {
    return (this.tls!.address() as AddressInfo).port;
  }

  get wsPort(): number {
    return (this.https!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    for (const client of this.ws?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.ws ? this.ws.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.https ? this.https.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tls ? this.tls.close(() => resolve()) : resolve()));
  }
}
