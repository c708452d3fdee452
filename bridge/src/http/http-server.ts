/**
 * The bridge's HTTP server: the simulator page (static files), its defaults as
 * /simulator-config.json, and MQTT over WebSocket at /mqtt for browsers.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { listen } from '../broker/embedded-broker';
import type { Logger } from '../util/logger';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Folder with the built simulator page. */
  staticDir: string;
  /** What the page learns about the bridge that served it: topics, and the button's timings. */
  pageConfig: { base_topic: string; device_id: string; button: { long_press_ms: number; double_press_ms: number } };
  /** Hands one browser MQTT connection to the broker (embedded) or a proxy (external). */
  handleMqttStream(stream: Duplex): void;
  /** Largest WebSocket message on /mqtt: the broker's packet limit (ws would allow 100 MiB). */
  mqttMaxMessageBytes: number;
}

export class HttpServer {
  private server?: Server;
  private wss?: WebSocketServer;

  constructor(private readonly options: HttpServerOptions, private readonly log: Logger) {}

  async start(): Promise<void> {
    if (!existsSync(join(this.options.staticDir, 'index.html'))) {
      this.log.warn(`simulator page not built (${this.options.staticDir}); run "npm run build"`);
    }
    this.server = createServer((req, res) => this.serve(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.options.mqttMaxMessageBytes, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
    this.server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/mqtt') {
        socket.destroy();
        return;
      }
      this.wss!.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => stream.destroy());
        this.options.handleMqttStream(stream);
      });
    });
    await listen(this.server, this.options.port, this.options.host, 'HTTP');
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const client of this.wss?.clients ?? []) client.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (pathname === '/simulator-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(this.options.pageConfig));
      return;
    }
    const root = resolve(this.options.staticDir);
    const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }
}
