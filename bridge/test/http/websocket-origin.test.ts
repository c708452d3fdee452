/**
 * Which web pages may open the bridge's WebSocket servers (/mqtt on the HTTP port, and the
 * embedded broker's ws_port): pages of the server's own origin and of http.allowed_origins;
 * clients without an Origin (not browsers) too. Any other page is refused with 403, including a
 * DNS-rebinding page whose Host header names its own domain.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { makeCertificates } from '../helpers/certificates';
import { freePort } from '../helpers/ports';
import { expectStillOnline } from '../helpers/still-online';
import { closeSocket, handshake } from '../helpers/ws-handshake';

jest.setTimeout(60_000);

const LISTED = 'http://megabit.lan:8000';

describe('Origin allowlist on every WebSocket server', () => {
  let bridge: RunningBridge;
  let brokerWsPort: number;
  let brokerWssPort: number;
  let dir: string;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-origin-'));
    const certs = makeCertificates(dir);
    ca = readFileSync(certs.ca);
    brokerWsPort = await freePort();
    brokerWssPort = await freePort();
    bridge = await startBridge({
      broker: { ws_port: brokerWsPort, tls: { port: await freePort(), ws_port: brokerWssPort, cert: certs.cert, key: certs.key } },
      http: { allowed_origins: [LISTED, 'https://other.example'] },
    });
  });

  afterAll(async () => {
    await bridge?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const servers = (): Array<{ name: string; url: string; own: string }> => [
    { name: '/mqtt', url: bridge.wsUrl, own: `http://127.0.0.1:${bridge.httpPort}` },
    { name: 'broker ws_port', url: `ws://127.0.0.1:${brokerWsPort}`, own: `http://127.0.0.1:${brokerWsPort}` },
    { name: 'broker tls.ws_port', url: `wss://127.0.0.1:${brokerWssPort}`, own: `https://127.0.0.1:${brokerWssPort}` },
  ];

  const cases: Array<{ name: string; origin?: (own: string) => string | undefined; host?: (port: string) => string; status: number }> = [
    { name: 'no Origin (not a browser)', status: 101 },
    { name: 'its own origin', origin: (own) => own, status: 101 },
    { name: 'its own origin in capitals', origin: (own) => own.replace('127.0.0.1', 'LOCALHOST'), host: (port) => `localhost:${port}`, status: 101 },
    { name: 'a listed origin', origin: () => LISTED, status: 101 },
    { name: 'a listed https origin', origin: () => 'https://other.example', status: 101 },
    { name: 'another site', origin: () => 'https://evil.example', status: 403 },
    { name: 'a listed host on another port', origin: () => 'http://megabit.lan:8001', status: 403 },
    { name: 'a listed host with another scheme', origin: () => 'https://megabit.lan:8000', status: 403 },
    { name: 'own host on another port', origin: (own) => own.replace(/:\d+$/, ':1'), status: 403 },
    { name: 'the opaque origin "null" (sandboxed frame, file://)', origin: () => 'null', status: 403 },
    { name: 'garbage', origin: () => 'not an origin', status: 403 },
    // Also shows the Host header below reaches the server: with 127.0.0.1 as Host this would be a 403.
    { name: 'localhost as Origin and Host', origin: (own) => own.replace('127.0.0.1', 'localhost'), host: (port) => `localhost:${port}`, status: 101 },
    {
      name: 'DNS rebinding: a foreign name as Origin and Host',
      origin: (own) => own.replace('127.0.0.1', 'rebind.example'),
      host: (port) => `rebind.example:${port}`,
      status: 403,
    },
  ];

  for (const server of ['/mqtt', 'broker ws_port', 'broker tls.ws_port']) {
    it.each(cases)(`${server}: $name → $status`, async ({ origin, host, status }) => {
      const { url, own } = servers().find((s) => s.name === server)!;
      const port = new URL(url).port;
      const result = await handshake(url, { ca, origin: origin?.(own), headers: host ? { Host: host(port) } : {} });
      await closeSocket(result.socket);
      expect(result.status).toBe(status);
    });

    it(`${server}: a page of an allowed origin speaks MQTT through it, a refused one never gets a CONNACK`, async () => {
      const { url, own } = servers().find((s) => s.name === server)!;
      const client = await mqtt.connectAsync(url, { ca, protocolVersion: 4, reconnectPeriod: 0, wsOptions: { origin: own } });
      await client.subscribeAsync(bridge.topics.out('availability'));
      await client.endAsync();
      const refused = mqtt.connect(url, { ca, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, wsOptions: { origin: 'https://evil.example' } });
      const outcome = await new Promise<string>((resolve) => {
        refused.once('connect', () => resolve('connected'));
        refused.once('error', (e) => resolve(e.message));
        refused.once('close', () => resolve('closed'));
      });
      refused.end(true);
      expect(outcome).not.toBe('connected');
    });
  }

  it('logs a refused origin once, with the key that would allow it', async () => {
    expect(bridge.output).toMatch(/refused a WebSocket from the web page at "https:\/\/evil\.example".*http\.allowed_origins/);
    expect(bridge.output.match(/refused a WebSocket from the web page at "https:\/\/evil\.example"/g)).toHaveLength(1);
  });

  it('is still online', async () => {
    await expectStillOnline(bridge);
  });
});

describe('http.allowed_origins with something that is not an origin', () => {
  it('stops the bridge at start with the entry named', async () => {
    await expect(startBridge({ http: { allowed_origins: ['megabit.lan'] } })).rejects.toThrow(/http\.allowed_origins: "megabit\.lan" is not an origin/);
  });
});
