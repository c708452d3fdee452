/**
 * Requests no browser would send well-formed, sent by hand to the real bridge process: each one
 * gets an answer (4xx), and the bridge stays up and online. `GET /%E0%A4%A` used to throw an
 * uncaught URIError that killed it; any web page could send it with an <img>.
 */
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { get, rawRequest } from '../helpers/raw-http';
import { expectStillOnline } from '../helpers/still-online';

jest.setTimeout(60_000);

interface Case {
  name: string;
  request: Buffer;
  status: number;
  /** Text the answer must not contain (a file from outside the page's folder). */
  notIn?: string;
}

const host = { Host: '127.0.0.1' };
const CASES: Case[] = [
  { name: 'truncated percent-encoding (the crash)', request: get('/%E0%A4%A'), status: 400 },
  { name: 'invalid UTF-8 in percent-encoding', request: get('/%C0%AF'), status: 400 },
  { name: 'lone %', request: get('/%'), status: 400 },
  { name: 'encoded NUL', request: get('/index.html%00.png'), status: 400 },
  { name: 'encoded NUL in the query only', request: get('/simulator-config.json?x=%00'), status: 200 },
  {
    name: 'bad percent-encoding on /mqtt upgrade',
    request: get('/mqtt%E0%A4%A', {
      ...host,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
    }),
    status: 400,
  },
  { name: 'traversal with ../', request: get('/../../../../etc/passwd'), status: 404, notIn: 'root:' },
  { name: 'traversal with encoded slashes', request: get('/..%2f..%2f..%2f..%2fetc%2fpasswd'), status: 404, notIn: 'root:' },
  { name: 'traversal with encoded dots', request: get('/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd'), status: 404, notIn: 'root:' },
  { name: 'traversal with backslashes', request: get('/..\\..\\..\\..\\etc\\passwd'), status: 404, notIn: 'root:' },
  { name: 'path that looks like another host', request: get('//example.com/etc/passwd'), status: 404, notIn: 'root:' },
  { name: 'malformed absolute-form target', request: get('http://[::1/'), status: 400 },
  { name: 'absolute-form with another scheme', request: get('file:///etc/passwd'), status: 400, notIn: 'root:' },
  { name: 'asterisk target on GET', request: get('*'), status: 400 },
  { name: 'malformed Host header', request: get('/', { Host: 'exa mple.com\u00ff' }), status: 400 },
  { name: 'Host header with a port out of range', request: get('/', { Host: '127.0.0.1:99999' }), status: 400 },
  { name: 'no Host header on HTTP/1.1', request: Buffer.from('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), status: 400 },
  { name: 'headers over 16 KiB', request: get('/', { ...host, 'X-Big': 'a'.repeat(20_000) }), status: 431 },
  { name: 'URL over 16 KiB', request: get(`/${'a'.repeat(20_000)}`), status: 431 },
  { name: 'garbage request line', request: Buffer.from('\u0001\u0002garbage\r\n\r\n', 'latin1'), status: 400 },
  { name: 'invalid header name', request: Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n'), status: 400 },
  { name: 'HEAD', request: get('/', host, 'HEAD'), status: 200 },
  { name: 'OPTIONS', request: get('/', host, 'OPTIONS'), status: 204 },
  { name: 'OPTIONS *', request: get('*', host, 'OPTIONS'), status: 204 },
  { name: 'POST', request: get('/', host, 'POST'), status: 405 },
  { name: 'unknown method', request: get('/', host, 'BREW'), status: 400 },
  { name: 'a folder', request: get('/..'), status: 200 },
  { name: 'a missing file', request: get('/nothing-here.js'), status: 404 },
];

describe('bad requests to the real bridge', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge();
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it.each(CASES)('$name → $status', async ({ request, status, notIn }) => {
    const answer = await rawRequest(bridge.httpPort, request);
    expect(answer.status).toBe(status);
    if (notIn) expect(answer.body).not.toContain(notIn);
    expect(bridge.running).toBe(true);
  });

  it('is still running and online after all of them', async () => {
    await expectStillOnline(bridge);
    expect(bridge.output).not.toMatch(/URIError|uncaught/i);
  });
});
