/**
 * The whole-request time limit, on the HTTP server itself with a short limit: a client that sends
 * its headers in time and then drips a body forever is closed with a 408. (The bridge's default
 * is 30 s; the header limit, 10 s, is tried on the real bridge in limits.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpServer } from '../../src/http/http-server';
import { OriginPolicy } from '../../src/http/origin-policy';
import { createLogger } from '../../src/util/logger';
import { waitUntil } from '../helpers/ports';
import { get, parseAnswer, rawRequest } from '../helpers/raw-http';

const REQUEST_TIMEOUT_MS = 2000;

describe('HttpServer request timeout', () => {
  let dir: string;
  let server: HttpServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-http-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    server = new HttpServer(
      {
        host: '127.0.0.1',
        port: 0,
        staticDir: dir,
        pageConfig: { base_topic: 'megabit', device_id: 'megabit', button: { long_press_ms: 800, double_press_ms: 300 }, logins: false },
        origins: new OriginPolicy([]),
        maxConnections: 8,
        maxMessageBytes: 65536,
        headersTimeoutMs: REQUEST_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        handleMqttStream: (stream) => stream.destroy(),
      },
      createLogger('error', 'test', () => undefined),
    );
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a request whose body never ends', async () => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n');
    const drip = setInterval(() => socket.writable && socket.write('x'), 200);
    try {
      await waitUntil(() => closed, 'the dripping client to be closed', 10 * REQUEST_TIMEOUT_MS);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    // The method is refused at once; the connection still ends when the request's time is up.
    expect(parseAnswer(received, true).status).toBe(405);
    expect((await rawRequest(server.port, get('/'))).status).toBe(200);
  });
});
