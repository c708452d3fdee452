/**
 * The bridge's HTTP server: the simulator page (static files), its defaults as
 * /simulator-config.json, and MQTT over WebSocket at /mqtt for browsers. Over HTTPS when
 * `http.tls` is set. Every answer carries the security headers; /mqtt is open only to allowed
 * origins (and the token, when there is one); connections, header time and message size are capped.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { listen } from '../util/listen';
import type { Part } from '../part';
import { errorMessage, type Logger } from '../util/logger';
import { httpsModule } from '../util/on-first-use';
import { readPemFile } from '../util/pem-file';
import { WebSocketUpgrades } from '../util/websocket-upgrades';
import { AccessToken } from './access-token';
import type { OriginPolicy } from './origin-policy';
import { isValidHostHeader, parseRequestTarget, type RequestTarget } from './request-target';
import { securityHeaders } from './security-headers';
import { replyAndClose } from './socket-reply';
import { StaticFiles } from './static-files';

/** What the page learns about the bridge that served it (/simulator-config.json). */
export interface PageConfig {
  base_topic: string;
  device_id: string;
  button: { long_press_ms: number; double_press_ms: number };
  /** The broker wants a user name and password: the page asks for them before connecting. */
  logins: boolean;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Folder with the built simulator page. */
  staticDir: string;
  pageConfig: PageConfig;
  /** PEM files: serve HTTPS and WSS instead of HTTP and WS. */
  tls?: { cert: string; key: string };
  /** When set, every request needs it (see access-token.ts). */
  authToken?: string;
  origins: OriginPolicy;
  /** Most connections open at once (page requests and WebSockets together). */
  maxConnections: number;
  /** Largest WebSocket message on /mqtt: the broker's packet limit. */
  maxMessageBytes: number;
  /** A client must have sent its request headers within this time (slowloris). */
  headersTimeoutMs?: number;
  /** ...and its whole request within this time. */
  requestTimeoutMs?: number;
  /** Hands one browser MQTT connection to the broker (embedded) or a proxy (external). */
  handleMqttStream(stream: Duplex): void;
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8' };
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Origins already reported as refused: a page retrying every second must not flood the log. */
const MAX_REPORTED_ORIGINS = 100;

export class HttpServer implements Part {
  readonly name = 'http';
  private server?: Server;
  private readonly webSockets: WebSocketUpgrades;
  private readonly files: StaticFiles;
  private readonly token?: AccessToken;
  private readonly open = new Set<Socket>();
  private readonly reportedOrigins = new Set<string>();
  private refusedConnections = 0;

  constructor(
    private readonly options: HttpServerOptions,
    private readonly log: Logger,
  ) {
    this.files = new StaticFiles(options.staticDir);
    if (options.authToken !== undefined) this.token = new AccessToken(options.authToken);
    this.webSockets = new WebSocketUpgrades({
      maxPayload: options.maxMessageBytes,
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
    });
  }

  get secure(): boolean {
    return this.options.tls !== undefined;
  }

  async start(): Promise<void> {
    if (!existsSync(join(this.options.staticDir, 'index.html'))) {
      this.log.warn(`simulator page not built (${this.options.staticDir}); run "npm run build"`);
    }
    const timeouts: ServerOptions = {
      headersTimeout: this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      requestTimeout: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // How often Node looks for connections past those limits (default 30 s).
      connectionsCheckingInterval: 1000,
    };
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.guard(res, () => this.serve(req, res));
    const server = this.options.tls
      ? httpsModule().createServer(
          {
            ...timeouts,
            cert: readPemFile(this.options.tls.cert, 'http.tls.cert'),
            key: readPemFile(this.options.tls.key, 'http.tls.key'),
            handshakeTimeout: timeouts.headersTimeout,
          },
          handler,
        )
      : createServer(timeouts, handler);
    this.server = server;
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.upgrade(req, socket, head);
      } catch (e) {
        this.log.warn(`WebSocket upgrade failed: ${errorMessage(e)}`);
        replyAndClose(socket, 500, 'internal error');
      }
    });
    // Requests Node's parser cannot read (bad request line, huge headers, too slow) get a short
    // answer; the socket's own errors (a client resetting) are nothing to report.
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      if (err.code === 'ECONNRESET' || !socket.writable) socket.destroy();
      else replyAndClose(socket, status, status === 431 ? 'request headers too large' : status === 408 ? 'request took too long' : 'bad request');
    });
    server.on('tlsClientError', () => undefined);
    await listen(server, this.options.port, this.options.host, this.secure ? 'HTTPS (http.port)' : 'HTTP (http.port)', this.log);
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await this.webSockets.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.open) socket.destroy();
    });
  }

  /**
   * Counts a new connection, or turns it away when `maxConnections` are open: a short 503 over
   * plain HTTP; over TLS the socket is closed (no TLS session exists yet to answer in).
   */
  private admit(socket: Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.open.size >= this.options.maxConnections) {
      this.refusedConnections++;
      if (this.refusedConnections === 1 || this.refusedConnections % 100 === 0) {
        this.log.warn(`${this.options.maxConnections} connections open (http.max_connections): turned away ${this.refusedConnections} so far`);
      }
      if (this.secure) socket.destroy();
      else replyAndClose(socket, 503, 'too many connections; try again later', { 'Retry-After': '5' });
      return;
    }
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }

  /** Runs a request handler; whatever it throws becomes a 500 for that request only. */
  private guard(res: ServerResponse, handle: () => void): void {
    try {
      handle();
    } catch (e) {
      this.log.warn(`request failed: ${errorMessage(e)}`);
      if (!res.headersSent) res.writeHead(500, TEXT).end('internal error\n');
      else res.destroy();
    }
  }

  /** The checks every request and upgrade passes first; an answer (status, text) when one fails. */
  private refusal(req: IncomingMessage): { status: number; text: string; target?: undefined } | { target: RequestTarget } {
    const parsed = parseRequestTarget(req.url);
    if (!parsed.ok) return { status: 400, text: `bad request: ${parsed.reason}` };
    // Absent only in HTTP/1.0 (Node refuses HTTP/1.1 without it); when present it must be sane,
    // as it names the page's own origin.
    if (req.headers.host !== undefined && !isValidHostHeader(req.headers.host)) return { status: 400, text: 'bad request: malformed Host header' };
    if (this.token && !this.token.accepts(req, parsed.target.query)) {
      return { status: 401, text: 'this page needs its access token: open it as /?token=<http.auth_token from megabit.yaml>' };
    }
    return { target: parsed.target };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const checked = this.refusal(req);
    if (checked.target === undefined) {
      return replyAndClose(socket, checked.status, checked.text, checked.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="megabit"' } : {});
    }
    if (checked.target.pathname !== '/mqtt') return replyAndClose(socket, 404, 'not found');
    const verdict = this.options.origins.check(req, this.secure ? 'https' : 'http');
    if (!verdict.ok) {
      this.reportOrigin(verdict.origin);
      return replyAndClose(socket, 403, "this web page's origin may not open /mqtt (see http.allowed_origins)");
    }
    this.webSockets.upgrade(req, socket, head, (stream) => {
      stream.on('error', () => stream.destroy());
      this.options.handleMqttStream(stream);
    });
  }

  private reportOrigin(origin: string): void {
    if (this.reportedOrigins.has(origin) || this.reportedOrigins.size >= MAX_REPORTED_ORIGINS) return;
    this.reportedOrigins.add(origin);
    this.log.warn(`refused a WebSocket from the web page at ${JSON.stringify(origin)}: if that is you, add it to http.allowed_origins`);
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(securityHeaders(req.headers.host, this.secure))) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', ...TEXT }).end('method not allowed\n');
      return;
    }
    if (req.method === 'OPTIONS' && req.url === '*') {
      res.writeHead(204, { allow: 'GET, HEAD, OPTIONS' }).end();
      return;
    }
    const checked = this.refusal(req);
    if (checked.target === undefined) {
      const auth = checked.status === 401 ? { 'www-authenticate': 'Bearer realm="megabit"', 'cache-control': 'no-store' } : {};
      res.writeHead(checked.status, { ...TEXT, ...auth }).end(`${checked.text}\n`);
      return;
    }
    if (this.token) res.setHeader('set-cookie', this.token.setCookie(this.secure));
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: 'GET, HEAD, OPTIONS' }).end();
      return;
    }
    const { pathname } = checked.target;
    if (pathname === '/simulator-config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(this.options.pageConfig));
      return;
    }
    const file = this.files.find(pathname);
    if (file === undefined) {
      res.writeHead(404, TEXT).end('not found\n');
      return;
    }
    this.files.send(file, res, req.method === 'HEAD');
  }
}
