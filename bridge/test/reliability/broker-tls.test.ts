/**
 * The embedded broker's TLS listeners (broker.tls), checked with the tools users check them with:
 * openssl s_client, mosquitto_pub and an mqtt.js client over wss, each with the right CA and a
 * wrong one, and client certificates when the broker requires them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { makeCa, makeCertificates, signedCertificate, type TestCertificates } from '../helpers/certificates';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { freePort } from '../helpers/ports';
import { run as runTool } from '../helpers/run-tool';

jest.setTimeout(60_000);

/** Runs a tool with stdin closed: its exit code and everything it printed. */
async function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await runTool(command, args, { timeoutMs: 20_000 });
  return { code, output: `${stdout}${stderr}` };
}

describe.each([false, true])('broker.tls listeners (require_certificate: %s)', (requireCertificate) => {
  let dir: string;
  let certs: TestCertificates;
  let wrongCa: string;
  let client: { cert: string; key: string };
  let bridge: RunningBridge;
  let plain: TestClient;
  let tlsPort: number;
  let wssPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-broker-tls-'));
    certs = makeCertificates(dir);
    wrongCa = makeCa(dir, 'wrong-').ca;
    client = signedCertificate(dir, 'display-client', { ca: certs.ca, caKey: join(dir, 'ca.key') }, 'DNS:display-client');
    tlsPort = await freePort();
    wssPort = await freePort();
    bridge = await startBridge({
      broker: { tls: { port: tlsPort, ws_port: wssPort, cert: certs.cert, key: certs.key, ca: certs.ca, require_certificate: requireCertificate } },
    });
    plain = await TestClient.connect(bridge.mqttUrl);
    await plain.subscribe('megabit/megabit/response/notify');
  });

  afterAll(async () => {
    await plain?.close();
    await bridge?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const clientCert = (): string[] => (requireCertificate ? ['-cert', client.cert, '-key', client.key] : []);

  it('completes a verified handshake with the right CA and fails with a wrong one (openssl s_client)', async () => {
    const good = await run('openssl', ['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-CAfile', certs.ca, '-verify_return_error', ...clientCert()]);
    expect(good.output).toContain('Verify return code: 0 (ok)');
    expect(good.code).toBe(0);
    const bad = await run('openssl', ['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-CAfile', wrongCa, '-verify_return_error', ...clientCert()]);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/verify error|certificate verify failed/i);
  });

  it('takes commands over mqtts from mosquitto_pub --cafile, and refuses a client trusting another CA', async () => {
    const since = plain.messages.length;
    const sent = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(tlsPort),
      '--cafile',
      certs.ca,
      ...(requireCertificate ? ['--cert', client.cert, '--key', client.key] : []),
      '-V',
      'mqttv311',
      '-t',
      'megabit/megabit/cmd/notify',
      '-m',
      'over TLS',
    ]);
    expect(sent).toMatchObject({ code: 0 });
    const reply = await plain.waitFor('megabit/megabit/response/notify', () => true, 10_000, since);
    expect(JSON.parse(reply.payload.toString())).toMatchObject({ ok: true });
    const refused = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(tlsPort),
      '--cafile',
      wrongCa,
      '-V',
      'mqttv311',
      '-t',
      'megabit/megabit/cmd/notify',
      '-m',
      'never',
    ]);
    expect(refused.code).not.toBe(0);
  });

  it('serves MQTT over wss to a client that trusts the CA', async () => {
    const wss = await mqtt.connectAsync(`wss://127.0.0.1:${wssPort}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      ca: readFileSync(certs.ca),
      ...(requireCertificate ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
    });
    try {
      await wss.subscribeAsync('megabit/megabit/availability');
      const availability = await new Promise<string>((resolve) => wss.once('message', (_topic, payload) => resolve(payload.toString())));
      expect(availability).toBe('online');
    } finally {
      await wss.endAsync(true);
    }
  });

  if (requireCertificate) {
    it('refuses a TLS client without a certificate', async () => {
      const bare = await run('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(tlsPort),
        '--cafile',
        certs.ca,
        '-V',
        'mqttv311',
        '-t',
        'megabit/megabit/cmd/notify',
        '-m',
        'no cert',
      ]);
      expect(bare.code).not.toBe(0);
      expect(bridge.running).toBe(true);
    });
  }
});

describe('broker.tls with a file that cannot be read', () => {
  it('does not start, and names the setting and the file', async () => {
    const missing = join(tmpdir(), 'megabit-no-such-cert.pem');
    await expect(startBridge({ broker: { tls: { port: 0, ws_port: 0, cert: missing, key: missing } } })).rejects.toThrow(
      `broker.tls.cert: cannot read ${missing} (ENOENT)`,
    );
  });
});
