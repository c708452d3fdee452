/**
 * The zero-config default broker: aedes on a TCP port and a plain WebSocket port. The HTTP
 * server also hands its `/mqtt` WebSocket connections to `handle`.
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from '../util/logger';

interface AedesBroker {
  handle(stream: Duplex): void;
  close(cb?: () => void): void;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  wsPort: number;
  /** Whether a WebSocket handshake may go on (the web page's Origin); refused ones get 403. */
  verifyWebSocket?: (req: IncomingMessage) => boolean;
}

export class EmbeddedBroker {
  private broker?: AedesBroker;
  private tcp?: Server;
  private ws?: WebSocketServer;
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly options: EmbeddedBrokerOptions, private readonly log: Logger) {}

  async start(): Promise<void> {
    // aedes 1.x is ESM-only with a named export; `new Aedes()` never listens, createBroker does.
    const { Aedes } = (await import('aedes')) as unknown as { Aedes: { createBroker(): Promise<AedesBroker> } };
    const broker = await Aedes.createBroker();
    this.broker = broker;
    this.tcp = createServer((socket) => {
      // aedes writes an ack and the forwarded message as separate small packets: with Nagle on,
      // the second waits for the client's delayed ACK, ~40 ms per QoS 1 hop on loopback.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    await listen(this.tcp, this.options.port, this.options.host, 'MQTT');
    const verify = this.options.verifyWebSocket;
    this.ws = new WebSocketServer({
      host: this.options.host,
      port: this.options.wsPort,
      // The callback form: the plain form would answer a refusal with 401, and this is a 403.
      ...(verify ? { verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, status?: number) => void) => done(verify(info.req), 403) } : {}),
    });
    this.ws.on('connection', (socket) => this.handleWebSocketStream(createWebSocketStream(socket)));
    await new Promise<void>((resolve, reject) => {
      this.ws!.once('listening', resolve);
      this.ws!.once('error', (e) => reject(portError(e, this.options.wsPort, 'MQTT-over-WebSocket')));
    });
    this.log.info(`embedded MQTT broker on mqtt://${this.options.host}:${this.port} and ws://${this.options.host}:${this.wsPort}`);
  }

  get port(): number {
    return (this.tcp?.address() as AddressInfo).port;
  }

  get wsPort(): number {
    return (this.ws?.address() as AddressInfo).port;
  }

  handleWebSocketStream(stream: Duplex): void {
    stream.on('error', () => stream.destroy());
    this.broker?.handle(stream);
  }

  /** Closes the broker first: servers only finish closing once their clients are gone. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    for (const client of this.ws?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.ws ? this.ws.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}

function portError(e: Error, port: number, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`${what} port ${port} is already in use (another broker running? set another port in megabit.yaml or mqtt.url to use it)`);
  if (code === 'EACCES') return new Error(`no permission to listen on ${what} port ${port}`);
  return e;
}

export function listen(server: Server | import('node:http').Server, port: number, host: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(portError(e, port, what));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
