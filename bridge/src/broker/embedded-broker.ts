/**
 * The zero-config default broker: aedes 2 (MQTT 3.1.1 and 5) on a TCP port and a plain WebSocket
 * port. The HTTP server also hands its `/mqtt` WebSocket connections to `handle`, and so can any
 * further listener (TLS): every connection gets the same logins, ACL and limits.
 * The bridge's own client connects in-process (`connectInProcess`), never over a socket.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, STATUS_CODES } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { BrokerAccess, type BrokerAccessOptions } from './broker-access';
import { brokerHooks } from './broker-hooks';
import { linkPair } from './in-process-link';
import { RetainedBudget, type RetainedLimits } from './retained-budget';
import type { Part } from '../part';
import { errorMessage, type Logger } from '../util/logger';
import { writePacketNumbersWithoutTable } from '../mqtt/packet-numbers';
import { listen } from '../util/listen';
import { WebSocketUpgrades } from '../util/websocket-upgrades';
import { verifyClientOption } from './websocket-verify';

interface AedesBroker {
  handle(stream: Duplex): void;
  close(cb?: () => void): void;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  wsPort: number;
  /** Largest MQTT packet accepted on any listener; a larger one closes that connection. */
  maxPacketBytes: number;
  retained: RetainedLimits;
  sysTopics: boolean;
  access: BrokerAccessOptions;
  /** Only the in-process connection may use this client id; others are refused. */
  bridgeClientId: string;
  /** Whether a WebSocket handshake may go on (the web page's Origin); refused ones get 403. */
  verifyWebSocket?: (req: IncomingMessage) => boolean;
  /** Told the topic of every client's publish the broker lets through (misaddressed commands). */
  onPublished?: (topic: string) => void;
}

export class EmbeddedBroker implements Part {
  readonly name = 'broker';
  private broker?: AedesBroker;
  private tcp?: Server;
  /** The plain WebSocket port's HTTP server, and its handshakes. */
  private wsHttp?: HttpServer;
  private ws?: WebSocketUpgrades;
  private readonly sockets = new Set<Duplex>();
  private readonly inProcess = new WeakSet<Duplex>();
  private readonly access: BrokerAccess;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly log: Logger,
  ) {
    this.access = new BrokerAccess(options.access, log);
  }

  async start(): Promise<void> {
    // Before aedes writes its first packet, which would build the table (also for a broker made
    // without the rest of the bridge, as its test does).
    writePacketNumbersWithoutTable();
    // Missing or unreadable files stop the start with the file's name: never run open by mistake.
    this.access.load();
    // aedes is ESM-only with a named export; `new Aedes()` never listens, createBroker does.
    const { Aedes } = (await import('aedes')) as unknown as { Aedes: { createBroker(options: object): Promise<AedesBroker> } };
    const broker = await Aedes.createBroker({
      maximumPacketSize: this.options.maxPacketBytes,
      ...brokerHooks({
        access: this.access,
        retained: new RetainedBudget(this.options.retained),
        sysTopics: this.options.sysTopics,
        bridgeClientId: this.options.bridgeClientId,
        inProcess: this.inProcess,
        log: this.log,
        onPublished: this.options.onPublished,
      }),
    });
    this.broker = broker;
    this.access.watch();
    this.tcp = createServer((socket) => {
      // aedes writes an ack and the forwarded message as separate small packets: with Nagle on,
      // the second waits for the client's delayed ACK, ~40 ms per QoS 1 hop on loopback.
      socket.setNoDelay(true);
      this.handle(socket);
    });
    await listen(this.tcp, this.options.port, this.options.host, 'MQTT (broker.port)', this.log);
    // What `ws` does with a port of its own, with `ws` loaded on the first handshake
    // (util/websocket-upgrades.ts): a plain HTTP request gets 426, an upgrade the handshake.
    const upgradeRequired = STATUS_CODES[426]!;
    this.wsHttp = createHttpServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(upgradeRequired) });
      res.end(upgradeRequired);
    });
    const ws = new WebSocketUpgrades({ maxPayload: this.maxWebSocketMessageBytes, ...verifyClientOption(this.options.verifyWebSocket) });
    this.ws = ws;
    this.wsHttp.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        ws.upgrade(req, socket, head, (stream) => this.handle(stream));
      } catch (e) {
        this.log.warn(`WebSocket upgrade failed: ${errorMessage(e)}`);
        socket.destroy();
      }
    });
    await listen(this.wsHttp, this.options.wsPort, this.options.host, 'MQTT-over-WebSocket (broker.ws_port)', this.log);
    this.log.info(
      `embedded MQTT broker (MQTT 3.1.1 and 5) on mqtt://${this.options.host}:${this.port} and ws://${this.options.host}:${this.wsPort}` +
        `${this.access.loginsRequired ? ', logins required' : ', no logins'}${this.access.hasAcl ? ', topic access from the ACL file' : ''}`,
    );
  }

  get port(): number {
    return (this.tcp!.address() as AddressInfo).port;
  }

  get wsPort(): number {
    return (this.wsHttp!.address() as AddressInfo).port;
  }

  /** For any WebSocket server that feeds `handle`: one MQTT packet per message, so the same cap. */
  get maxWebSocketMessageBytes(): number {
    return this.options.maxPacketBytes;
  }

  /** Serves one client connection from any listener (TCP, WebSocket, TLS). */
  handle(stream: Duplex): void {
    this.sockets.add(stream);
    stream.once('close', () => this.sockets.delete(stream));
    stream.on('error', () => stream.destroy());
    this.broker?.handle(stream);
  }

  /** A new connection for the bridge's own client; mqtt.js calls this on every (re)connect. */
  connectInProcess(): Duplex {
    const [client, server] = linkPair();
    this.inProcess.add(server);
    this.handle(server);
    return client;
  }

  /** Re-reads the password and ACL files (SIGHUP). */
  reload(): void {
    this.access.reload();
  }

  /** Closes the broker first: servers only finish closing once their clients are gone. */
  async stop(): Promise<void> {
    this.access.close();
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    await this.ws?.close();
    await new Promise<void>((resolve) => {
      if (!this.wsHttp) return resolve();
      this.wsHttp.close(() => resolve());
      this.wsHttp.closeAllConnections();
    });
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}
