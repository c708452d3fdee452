/**
 * Network and file grants, in the real sandbox: an app reaches with Extism's http_request only the
 * hosts its manifest lists under permissions.network (checked again at every redirect), and gets
 * no file system at all (WASI is refused at load). A local HTTP server records what reaches it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppPermissions } from '@megabit/contract';
import { SandboxFault, startApp } from '../../src/sandbox';
import { hostGranted } from '../../src/sandbox/http-permission';
import { command, manifest, options, start, tempDir, type TestApp } from '../helpers/sandbox/harness';
import { buildProbeApp } from '../helpers/sandbox/probe-app';
import { WasmBuilder, op } from '../helpers/sandbox/wasm-builder';

interface Seen {
  method: string;
  path: string;
  body: string;
  header: string | undefined;
  auth?: string;
}

let probe: Uint8Array;
let server: Server;
let port: number;
/** Another origin (same host, another port) that a redirect can lead to. */
let other: Server;
let otherPort: number;
let seen: Seen[];
let dir: ReturnType<typeof tempDir>;
const apps: TestApp[] = [];

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = req.url ?? '';
  if (path === '/hang') return; // never answers
  if (path === '/to-localhost') {
    res.writeHead(302, { location: `http://localhost:${port}/secret` }).end();
  } else if (path === '/to-other') {
    res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/landing` }).end();
  } else if (path === '/hop') {
    res.writeHead(307, { location: '/hello' }).end();
  } else if (path === '/big') {
    res.writeHead(200).end(Buffer.alloc(1024 * 1024 + 1, 0x61));
  } else if (req.method === 'POST') {
    res.writeHead(201).end(`got ${body}`);
  } else {
    res.writeHead(200).end(`hello ${path} ${req.headers['x-probe'] ?? ''}`.trim());
  }
}

beforeAll(async () => {
  probe = await buildProbeApp();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', path: req.url ?? '', body, header: req.headers['x-probe'] as string | undefined, auth: req.headers.authorization });
      route(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  other = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: `other:${req.url ?? ''}`,
      body: '',
      header: req.headers['x-probe'] as string | undefined,
      auth: req.headers.authorization,
    });
    res.writeHead(200).end('landed');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherPort = (other.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  for (const s of [server, other]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

beforeEach(() => {
  seen = [];
  dir = tempDir();
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.app.close()));
  dir.cleanup();
});

/** The test servers listen on loopback, which apps reach only where megabit.yaml allows it. */
async function probeWith(permissions: AppPermissions | undefined, runTimeoutMs?: number): Promise<TestApp> {
  const t = await start(probe, dir.path, {
    manifest: manifest({ permissions }),
    allowPrivateHosts: ['127.0.0.1'],
    ...(runTimeoutMs ? { limits: { runTimeoutMs } } : {}),
  });
  apps.push(t);
  return t;
}

const get = (path: string, headers?: Record<string, string>): string =>
  `http|${JSON.stringify({ url: `http://127.0.0.1:${port}${path}`, method: 'GET', ...(headers ? { headers } : {}) })}`;

async function refusal(t: TestApp, line: string): Promise<SandboxFault> {
  const fault = await command(t, line).then(
    () => null,
    (e: unknown) => e,
  );
  expect(fault).toBeInstanceOf(SandboxFault);
  return fault as SandboxFault;
}

describe('permissions.network', () => {
  it('refuses every request from an app without a grant, before it leaves the sandbox', async () => {
    const t = await probeWith(undefined);
    const fault = await refusal(t, get('/hello'));
    expect(fault.message).toBe(`HTTP request to http://127.0.0.1:${port}/hello refused: the manifest grants no permissions.network`);
    expect(seen).toEqual([]);
    // The refusal fails the app, like any other fault: it is not left half-working.
    await expect(t.app.run()).rejects.toBe(fault);
  });

  it('lets a granted app reach its host, with method, headers and body', async () => {
    const t = await probeWith({ network: ['127.0.0.1'] });
    expect(await command(t, get('/hello', { 'x-probe': 'yes' }))).toEqual(['http 200 hello /hello yes']);
    const post = JSON.stringify({ url: `http://127.0.0.1:${port}/form`, method: 'POST' });
    expect(await command(t, `http|${post}|a=1`)).toEqual(['http 201 got a=1']);
    expect(seen).toEqual([
      { method: 'GET', path: '/hello', body: '', header: 'yes' },
      { method: 'POST', path: '/form', body: 'a=1', header: undefined },
    ]);
  });

  it('refuses a host that is not in the list (a name is not its address)', async () => {
    const t = await probeWith({ network: ['localhost', 'api.example.com'] });
    const fault = await refusal(t, get('/hello'));
    expect(fault.message).toBe(`HTTP request to http://127.0.0.1:${port}/hello refused: 127.0.0.1 is not in permissions.network`);
    expect(seen).toEqual([]);
  });

  it('names a refused URL without its query string or user info (the reason is published in P/state/apps)', async () => {
    const t = await probeWith({ network: ['127.0.0.1'] });
    const fault = await refusal(t, `http|${JSON.stringify({ url: 'https://user:pw@api.weather.example/v1?appid=sk-SECRET' })}`);
    expect(fault.message).toBe('HTTP request to https://api.weather.example/v1 refused: api.weather.example is not in permissions.network');
  });

  it('refuses schemes other than http and https', async () => {
    const t = await probeWith({ network: ['127.0.0.1'] });
    const fault = await refusal(t, `http|${JSON.stringify({ url: 'file:///etc/passwd' })}`);
    expect(fault.message).toMatch(/^HTTP request to file:\/\/\/etc\/passwd refused: only http and https URLs are allowed$/);
  });

  it('follows a redirect to a granted host, and stops at one to a host not granted', async () => {
    const t = await probeWith({ network: ['127.0.0.1'] });
    expect(await command(t, get('/hop'))).toEqual(['http 200 hello /hello']);
    const lines = await command(t, get('/to-localhost'));
    expect(lines).toEqual([
      `HTTP GET http://127.0.0.1:${port}/to-localhost failed: redirected: HTTP request to http://localhost:${port}/secret refused: localhost is not in permissions.network`,
      'http 0 <none>',
    ]);
    expect(seen.map((s) => s.path)).toEqual(['/hop', '/hello', '/to-localhost']);
    // The server sent the app somewhere else; the app itself did nothing wrong and keeps running.
    expect(await command(t, get('/hello'))).toEqual(['http 200 hello /hello']);
  });

  it('keeps credentials within one origin and drops them when a redirect leaves it', async () => {
    const t = await probeWith({ network: ['127.0.0.1'] });
    const headers = { authorization: 'Bearer s3cret', 'x-probe': 'yes' };
    expect(await command(t, get('/hop', headers))).toEqual(['http 200 hello /hello yes']);
    expect(await command(t, get('/to-other', headers))).toEqual(['http 200 landed']);
    expect(seen.map((s) => [s.path, s.auth, s.header])).toEqual([
      ['/hop', 'Bearer s3cret', 'yes'],
      ['/hello', 'Bearer s3cret', 'yes'],
      ['/to-other', 'Bearer s3cret', 'yes'],
      // Another port is another origin: the app's other headers go along, its credentials do not.
      ['other:/landing', undefined, 'yes'],
    ]);
  });

  it('turns a dead server, a silent one and an oversized answer into status 0, not a fault', async () => {
    const t = await probeWith({ network: ['127.0.0.1'] }, 1000);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    expect(await command(t, `http|${JSON.stringify({ url: `http://127.0.0.1:${closedPort}/` })}`)).toEqual([
      `HTTP GET http://127.0.0.1:${closedPort}/ failed: connect ECONNREFUSED 127.0.0.1:${closedPort}`,
      'http 0 <none>',
    ]);
    const silent = await command(t, get('/hang'));
    expect(silent[0]).toMatch(
      new RegExp(`^HTTP GET http://127\\.0\\.0\\.1:${port}/hang failed: no answer within \\d+ ms \\(the rest of the call's time budget\\)$`),
    );
    expect(silent[1]).toBe('http 0 <none>');
    expect(await command(t, get('/big'))).toEqual([`HTTP GET http://127.0.0.1:${port}/big failed: the response is larger than 1 MiB`, 'http 0 <none>']);
    expect(await command(t, get('/hello'))).toEqual(['http 200 hello /hello']);
  });

  it('matches `*.domain` grants on names under the domain only', () => {
    expect(hostGranted(['*.example.com'], 'api.example.com')).toBe(true);
    expect(hostGranted(['*.example.com'], 'a.b.example.com')).toBe(true);
    expect(hostGranted(['*.example.com'], 'example.com')).toBe(false);
    expect(hostGranted(['*.example.com'], 'badexample.com')).toBe(false);
    expect(hostGranted(['example.com'], 'api.example.com')).toBe(false);
    expect(hostGranted([], 'example.com')).toBe(false);
  });
});

describe('files', () => {
  it('gives apps no file system: a module that asks for WASI file access is refused at load', async () => {
    const b = new WasmBuilder();
    b.importFunc('wasi_snapshot_preview1', 'path_open', ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'], ['i32']);
    b.memory(1).exportMemory('memory');
    b.exportFunc('run', b.func([], ['i32'], op.i32(0)));
    const failure = await startApp(options(b.build(), dir.path, {})).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(SandboxFault);
    expect((failure as SandboxFault).kind).toBe('load');
    expect((failure as SandboxFault).message).toBe(
      'the module imports function "wasi_snapshot_preview1"."path_open", which Megabit does not provide (apps get no WASI: build without it)',
    );
  });
});
