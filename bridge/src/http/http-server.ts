/**
 * The bridge's HTTP server: the simulator page (static files), its defaults as
 * /simulator-config.json, and MQTT over WebSocket at /mqtt for browsers.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { listen } from '../broker/embedded-broker';
import { errorMessage, type Logger } from '../util/logger';
import { isValidHostHeader, parseRequestTarget } from './request-target';
import { replyAndClose } from './socket-reply';
import { StaticFiles } from './static-files';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Folder with the built simulator page. */
  staticDir: string;
  /** What the page learns about the bridge that served it: topics, and the button's timings. */
  pageConfig: { base_topic: string; device_id: string; button: { long_press_ms: number; double_press_ms: number } };
  /** Hands one browser MQTT connection to the broker (embedded) or a proxy (external). */
  handleMqttStream(stream: Duplex): void;
}

export class HttpServer {
  private server?: Server;
  private wss?: WebSocketServer;
  private readonly files: StaticFiles;

  constructor(private readonly options: HttpServerOptions, private readonly log: Logger) {
    this.files = new StaticFiles(options.staticDir);
  }

  async start(): Promise<void> {
    if (!existsSync(join(this.options.staticDir, 'index.html'))) {
      this.log.warn(`simulator page not built (${this.options.staticDir}); run "npm run build"`);
    }
    const server = createServer((req, res) => this.guard(res, () => this.serve(req, res)));
    this.server = server;
    this.wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.upgrade(req, socket, head);
      } catch (e) {
        this.log.warn(`WebSocket upgrade failed: ${errorMessage(e)}`);
        replyAndClose(socket, 500, 'internal error');
      }
    });
    // Requests Node's parser cannot read (bad request line, huge headers, timeouts) get a short
    // answer; the socket's own errors (a client resetting) are nothing to report.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      if (err.code === 'ECONNRESET' || !socket.writable) socket.destroy();
      else replyAndClose(socket, status, status === 431 ? 'request headers too large' : status === 408 ? 'request took too long' : 'bad request');
    });
    await listen(server, this.options.port, this.options.host, 'HTTP');
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

  /** Runs a request handler; whatever it throws becomes a 500 for that request only. */
  private guard(res: ServerResponse, handle: () => void): void {
    try {
      handle();
    } catch (e) {
      this.log.warn(`request failed: ${errorMessage(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
      else res.destroy();
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const parsed = parseRequestTarget(req.url);
    if (!parsed.ok) return replyAndClose(socket, 400, `bad request: ${parsed.reason}`);
    if (req.headers.host !== undefined && !isValidHostHeader(req.headers.host)) return replyAndClose(socket, 400, 'bad request: malformed Host header');
    if (parsed.target.pathname !== '/mqtt') return replyAndClose(socket, 404, 'not found');
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      this.options.handleMqttStream(stream);
    });
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: 'GET, HEAD, OPTIONS' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    const parsed = parseRequestTarget(req.url);
    if (!parsed.ok) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`bad request: ${parsed.reason}\n`);
      return;
    }
    // Absent only in HTTP/1.0 (Node refuses HTTP/1.1 without it); when present it must be sane,
    // as it names the page's own origin.
    if (req.headers.host !== undefined && !isValidHostHeader(req.headers.host)) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request: malformed Host header\n');
      return;
    }
    const { pathname } = parsed.target;
    if (pathname === '/simulator-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(this.options.pageConfig));
      return;
    }
    const file = this.files.find(pathname);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    this.files.send(file, res, req.method === 'HEAD');
  }
}
