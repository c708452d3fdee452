/**
 * TLS on both sides of /mqtt, with certificates made by openssl: the page served over HTTPS and
 * WSS (`http.tls`), and the /mqtt proxy reaching an external mosquitto over TLS with the bridge's
 * own `mqtt.ca`, `mqtt.cert` and `mqtt.key` (a listener that requires a client certificate).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUT } from '@megabit/contract';
import mqtt from 'mqtt';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { curl } from '../helpers/curl';
import { Mosquitto } from '../helpers/mosquitto';
import { freePort } from '../helpers/ports';
import { get, rawRequest } from '../helpers/raw-http';
import { expectStillOnline } from '../helpers/still-online';
import { makeCa, signedCertificate } from '../helpers/certificates';
import { handshake } from '../helpers/ws-handshake';

jest.setTimeout(90_000);

let dir: string;
let certs: { ca: string; wrongCa: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'megabit-tls-'));
  const ca = makeCa(dir);
  const server = signedCertificate(dir, '127.0.0.1', ca, 'IP:127.0.0.1,DNS:localhost');
  // The bridge's client certificate: mosquitto below takes its CN as the user name.
  const client = signedCertificate(dir, 'megabit-bridge', ca, 'DNS:megabit-bridge');
  certs = { ca: ca.ca, wrongCa: makeCa(dir, 'wrong-').ca, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
  // mosquitto drops root for its own user: it must be able to read the test's files.
  chmodSync(dir, 0o755);
  for (const file of [certs.serverKey, certs.clientKey]) chmodSync(file, 0o644);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('http.tls: the page and /mqtt over HTTPS and WSS', () => {
  let bridge: RunningBridge;
  let base: string;

  beforeAll(async () => {
    bridge = await startBridge({ http: { tls: { cert: certs.serverCert, key: certs.serverKey } } });
    base = `https://127.0.0.1:${bridge.httpPort}`;
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it('serves the page to curl --cacert with the right CA', async () => {
    const answer = await curl(['--cacert', certs.ca, `${base}/`]);
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain('<title>Megabit simulator</title>');
    expect(bridge.output).toContain(`simulator: https://localhost:${bridge.httpPort}/`);
  });

  it('fails curl with a wrong CA (exit 60) and without any (the system CAs)', async () => {
    expect((await curl(['--cacert', certs.wrongCa, `${base}/`])).code).toBe(60);
    expect((await curl([`${base}/`])).code).toBe(60);
  });

  it('names wss:// of its own host in the CSP', async () => {
    const answer = await curl(['--cacert', certs.ca, '-D', '-', '-o', '/dev/null', `${base}/`]);
    expect(answer.stdout).toContain(`connect-src 'self' wss://127.0.0.1:${bridge.httpPort};`);
  });

  it('carries MQTT over WSS at /mqtt, and refuses a client that does not trust the CA', async () => {
    const ca = readFileSync(certs.ca);
    const client = await mqtt.connectAsync(`wss://127.0.0.1:${bridge.httpPort}/mqtt`, { protocolVersion: 4, reconnectPeriod: 0, ca, rejectUnauthorized: true });
    const topic = bridge.topics.out(OUT.availability);
    await client.subscribeAsync(topic);
    const availability = await new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
    expect(availability).toBe('online');
    await client.endAsync();
    await expect(handshake(`wss://127.0.0.1:${bridge.httpPort}/mqtt`, { ca: readFileSync(certs.wrongCa) })).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('does not speak plain HTTP on the HTTPS port', async () => {
    const answer = await rawRequest(bridge.httpPort, get('/'));
    expect(answer.body).not.toContain('<title>');
    await expectStillOnline(bridge);
  });
});

describe('http.tls with a file that cannot be read', () => {
  it('stops the bridge at start, naming the setting and the file', async () => {
    const missing = join(dir, 'no-such.crt');
    await expect(startBridge({ http: { tls: { cert: missing, key: certs.serverKey } } })).rejects.toThrow(`http.tls.cert: cannot read ${missing}`);
  });
});

describe("/mqtt proxied to an external broker over TLS with the bridge's own certificates", () => {
  let broker: Mosquitto;
  let tlsPort: number;
  let bridge: RunningBridge;

  beforeAll(async () => {
    tlsPort = await freePort();
    broker = await Mosquitto.start({
      // Only a client certificate signed by the test CA gets in: the proxy must present the bridge's.
      extraConfig: [
        `listener ${tlsPort} 127.0.0.1`,
        `cafile ${certs.ca}`,
        `certfile ${certs.serverCert}`,
        `keyfile ${certs.serverKey}`,
        'require_certificate true',
        // The certificate's CN becomes the user name, so the log shows whose certificate came in.
        'use_identity_as_username true',
      ],
    });
    bridge = await startBridge({
      mqttUrl: `mqtts://127.0.0.1:${tlsPort}`,
      settings: { mqtt: { base_topic: 'megabit', url: `mqtts://127.0.0.1:${tlsPort}`, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } },
    });
  });

  afterAll(async () => {
    await bridge?.dispose();
    await broker?.dispose();
  });

  it("lets a browser client through /mqtt to the TLS broker, with the bridge's certificate, where it sees the bridge online", async () => {
    const clientId = 'browser-through-proxy';
    const client = await mqtt.connectAsync(bridge.wsUrl, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 });
    const topic = bridge.topics.out(OUT.availability);
    await client.subscribeAsync(topic);
    const availability = await new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
    expect(availability).toBe('online');
    await client.endAsync();
    expect(broker.output).toMatch(new RegExp(`New client connected from 127\\.0\\.0\\.1:\\d+ as ${clientId} \\(.*u'megabit-bridge'\\)`));
    await expectStillOnline(bridge, { ca: readFileSync(certs.ca), cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) });
  });
});
