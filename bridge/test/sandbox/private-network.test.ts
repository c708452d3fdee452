/**
 * Apps and the local network: the address every connection goes to is checked after DNS, and
 * the socket uses that very answer. The app side runs in the real sandbox against a real HTTP
 * server that listens on 127.0.0.1 only, as a router page, a NAS or Home Assistant would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { fetch } from 'undici';
import type { AppPermissions } from '@megabit/contract';
import { guardedAgent, guardedLookup, type Resolver } from '../../src/sandbox/address-guard';
import { nonPublicReason } from '../../src/sandbox/private-address';
import { command, manifest, start, tempDir, type TestApp } from '../helpers/sandbox/harness';
import { buildProbeApp } from '../helpers/sandbox/probe-app';

let probe: Uint8Array;
let server: Server;
let port: number;
let seen: string[];
let dir: ReturnType<typeof tempDir>;
const apps: TestApp[] = [];

beforeAll(async () => {
  probe = await buildProbeApp();
  server = createServer((req, res) => {
    seen.push(`${req.headers.host ?? ''} ${req.url ?? ''}`);
    if (req.url === '/to-loopback') res.writeHead(302, { location: `http://127.0.0.1:${port}/secret` }).end();
    else res.writeHead(200).end('the router admin page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  dir = tempDir();
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.app.close()));
  dir.cleanup();
});

async function probeWith(network: string[], allowPrivateHosts?: string[]): Promise<TestApp> {
  const permissions: AppPermissions = { network };
  const t = await start(probe, dir.path, { manifest: manifest({ permissions }), ...(allowPrivateHosts ? { allowPrivateHosts } : {}) });
  apps.push(t);
  return t;
}

const get = (url: string): string => `http|${JSON.stringify({ url })}`;

describe('addresses apps may not reach', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.178.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local (private)'],
    ['fc00::1', 'unique local (private)'],
    ['ff02::fb', 'multicast'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, loopback'],
    ['::ffff:192.168.0.1', 'IPv4-mapped 192.168.0.1, private'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254, link-local'],
    ['::7f00:1', 'IPv4-compatible 127.0.0.1, loopback'],
    ['::10.0.0.1', 'IPv4-compatible 10.0.0.1, private'],
    ['64:ff9b::c0a8:1', 'NAT64 192.168.0.1, private'],
    ['2002:7f00:1::1', '6to4 127.0.0.1, loopback'],
    ['2002:c0a8:101::', '6to4 192.168.1.1, private'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo tunnel'],
    ['192.0.2.10', 'documentation'],
    ['203.0.113.5', 'documentation'],
    ['2001:db8::1', 'documentation'],
  ])('%s is %s', (address, why) => {
    expect(nonPublicReason(address)).toBe(why);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:4860:4860::8888',
  ])('%s is public', (address) => expect(nonPublicReason(address)).toBeNull());
});

describe('the guarded lookup', () => {
  const answering =
    (addresses: LookupAddress[], calls: string[] = []): Resolver =>
    (hostname, _options, callback) => {
      calls.push(hostname);
      callback(null, addresses);
    };
  const lookUp = (lookup: ReturnType<typeof guardedLookup>, host: string): Promise<LookupAddress[]> =>
    new Promise((resolve, reject) => {
      lookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as unknown as LookupAddress[])));
    });

  it('refuses a name that resolves only to local addresses, naming the setting that allows it', async () => {
    const lookup = guardedLookup([], answering([{ address: '192.168.1.20', family: 4 }]));
    await expect(lookUp(lookup, 'nas.example.com')).rejects.toThrow(
      'nas.example.com (192.168.1.20) is a private address, which apps may not reach unless megabit.yaml lists "nas.example.com" under sandbox.allow_private_hosts',
    );
  });

  it('drops the local answers of a name that also has public ones (no mixing in a rebinding answer)', async () => {
    const lookup = guardedLookup(
      [],
      answering([
        { address: '127.0.0.1', family: 4 },
        { address: '93.184.215.14', family: 4 },
        { address: '::1', family: 6 },
      ]),
    );
    expect(await lookUp(lookup, 'mixed.example.com')).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });

  it('lets a host the user allows by name resolve to a local address, and only that host', async () => {
    const lookup = guardedLookup(['NAS.local'], answering([{ address: '192.168.1.20', family: 4 }]));
    expect(await lookUp(lookup, 'nas.local')).toEqual([{ address: '192.168.1.20', family: 4 }]);
    await expect(lookUp(lookup, 'other.local')).rejects.toThrow(/other\.local \(192\.168\.1\.20\) is a private address/);
  });

  it('connects to exactly the address it checked: one lookup per connection, no second one by the socket', async () => {
    // A name no real DNS server answers: the request can only reach the server through this lookup.
    const calls: string[] = [];
    const agent = guardedAgent(['printer.megabit-test'], answering([{ address: '127.0.0.1', family: 4 }], calls));
    try {
      const response = await fetch(`http://printer.megabit-test:${port}/status`, { dispatcher: agent });
      expect(await response.text()).toBe('the router admin page');
      expect(calls).toEqual(['printer.megabit-test']);
      expect(seen).toEqual([`printer.megabit-test:${port} /status`]);
    } finally {
      await agent.destroy();
    }
  });
});

describe('an app and a server on 127.0.0.1', () => {
  const refused = (url: string, why: string): string[] => [`HTTP GET ${url} failed: ${why}`, 'http 0 <none>'];

  it('cannot read it through any grant of its own: 127.0.0.1, 0.0.0.0, [::ffff:7f00:1], localhost', async () => {
    const t = await probeWith(['127.0.0.1', '0.0.0.0', '[::ffff:7f00:1]', 'localhost']);
    const notAllowed = (host: string, address: string, why: string): string =>
      `HTTP request refused: ${address === host ? address : `${host} (${address})`} is a ${why} address, which apps may not reach unless megabit.yaml lists "${host}" under sandbox.allow_private_hosts`;
    expect(await command(t, get(`http://127.0.0.1:${port}/secret`))).toEqual(
      refused(`http://127.0.0.1:${port}/secret`, notAllowed('127.0.0.1', '127.0.0.1', 'loopback')),
    );
    expect(await command(t, get(`http://0.0.0.0:${port}/secret`))).toEqual(
      refused(`http://0.0.0.0:${port}/secret`, notAllowed('0.0.0.0', '0.0.0.0', 'unspecified ("this network")')),
    );
    expect(await command(t, get(`http://[::ffff:7f00:1]:${port}/secret`))).toEqual(
      refused(`http://[::ffff:7f00:1]:${port}/secret`, notAllowed('::ffff:7f00:1', '::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, loopback')),
    );
    // Other spellings of the same address: the URL parser makes them 127.0.0.1 first.
    expect((await command(t, get(`http://0x7f.1:${port}/secret`)))[0]).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    const [line, status] = await command(t, get(`http://localhost:${port}/secret`));
    // localhost resolves to 127.0.0.1 and ::1; which one the message names depends on the resolver's order.
    expect(line).toMatch(
      new RegExp(
        `^HTTP GET http://localhost:${port}/secret failed: localhost \\((127\\.0\\.0\\.1|::1)\\) is a loopback address, which apps may not reach unless megabit\\.yaml lists "localhost" under sandbox\\.allow_private_hosts$`,
      ),
    );
    expect(status).toBe('http 0 <none>');
    expect(seen).toEqual([]);
  });

  it('reads it when megabit.yaml allows the host by name and the manifest grants it', async () => {
    const t = await probeWith(['localhost', '127.0.0.1'], ['localhost']);
    expect(await command(t, get(`http://localhost:${port}/secret`))).toEqual(['http 200 the router admin page']);
    // Allowing a name allows that name only, not its address spelled out.
    expect((await command(t, get(`http://127.0.0.1:${port}/secret`)))[0]).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    expect(seen).toEqual([`localhost:${port} /secret`]);
  });

  it('stops at a redirect from the allowed host to a loopback address', async () => {
    const t = await probeWith(['localhost', '127.0.0.1'], ['localhost']);
    expect(await command(t, get(`http://localhost:${port}/to-loopback`))).toEqual([
      `HTTP GET http://localhost:${port}/to-loopback failed: redirected: HTTP request refused: 127.0.0.1 is a loopback address, which apps may not reach unless megabit.yaml lists "127.0.0.1" under sandbox.allow_private_hosts`,
      'http 0 <none>',
    ]);
    expect(seen).toEqual([`localhost:${port} /to-loopback`]);
  });
});
