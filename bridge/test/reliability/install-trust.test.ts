/**
 * Installing code over MQTT, as an anonymous client on loopback would, against the real bridge:
 * a manifest's permissions are requests. Its network grants do not reach a web server on
 * 127.0.0.1 unless megabit.yaml allows the host by name, and a reinstall that asks for other
 * permissions does not inherit the installed app's config (API keys) and KV store.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AppManifest } from '@megabit/contract';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { expectStillOnline } from '../helpers/still-online';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';
import { P } from '../helpers/topics';

jest.setTimeout(90_000);

let probe: Uint8Array;
let web: Server;
let webPort: number;
let hits: string[] = [];

beforeAll(async () => {
  probe = await buildProbeApp();
  web = createServer((req, res) => {
    hits.push(`${req.headers.host ?? ''} ${req.url ?? ''}`);
    if (req.url === '/to-loopback') res.writeHead(302, { location: `http://127.0.0.1:${webPort}/admin` }).end();
    else res.writeHead(200).end('router admin page');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webPort = (web.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  web.closeAllConnections();
  await new Promise((resolve) => web.close(resolve));
});

/** One bridge and an anonymous client that installs probes and talks to them through their inbox. */
class Session {
  private constructor(
    readonly bridge: RunningBridge,
    readonly client: TestClient,
  ) {}

  static async open(settings: Record<string, unknown> = {}): Promise<Session> {
    const bridge = await startBridge({
      settings: { rotation: { enabled: false }, sandbox: { run_timeout_ms: 2000, log_lines_per_second: 1000, ...settings } },
    });
    const client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe(P('event/apps/+/log'));
    return new Session(bridge, client);
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.bridge.dispose();
  }

  install(manifest: AppManifest, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.client.request('apps/install', { manifest, wasm: Buffer.from(probe).toString('base64'), ...extra }, 30_000);
  }

  private lines(id: string, since: number): string[] {
    return this.client.on(P(`event/apps/${id}/log`), since).map((m) => (JSON.parse(m.payload.toString()) as { message: string }).message);
  }

  /** Shows the app, waits until its sandbox answers, sends `command` and returns the lines it logged up to one starting with `until`. */
  async ask(id: string, command: string, until: string): Promise<string[]> {
    expect(await this.client.request('app', id)).toMatchObject({ ok: true });
    const ready = this.client.messages.length;
    for (let i = 0; i < 50 && !this.lines(id, ready).some((l) => l.startsWith('ping')); i++) {
      await this.client.request(`apps/${id}/data`, `log|1|ping ${i}`);
      await delay(100);
    }
    const since = this.client.messages.length;
    expect(await this.client.request(`apps/${id}/data`, command)).toMatchObject({ ok: true, queued: false });
    for (let i = 0; i < 100; i++) {
      // A ping sent while the app was still starting may be answered only now: not part of the answer.
      const lines = this.lines(id, since).filter((l) => !l.startsWith('ping'));
      const end = lines.findIndex((l) => l.startsWith(until));
      if (end >= 0) return lines.slice(0, end + 1);
      await delay(100);
    }
    throw new Error(`app ${id} did not answer ${command}`);
  }
}

const get = (url: string): string => `http|${JSON.stringify({ url })}`;

describe('network grants of an anonymous install', () => {
  const GRANTS = ['127.0.0.1', '0.0.0.0', '[::ffff:7f00:1]', 'localhost'];

  it('do not reach a web server on 127.0.0.1 by any of its names', async () => {
    const s = await Session.open();
    try {
      hits = [];
      expect(await s.install(probeManifest('snoop', { permissions: { network: GRANTS } }))).toMatchObject({ ok: true });
      for (const host of GRANTS) {
        const lines = await s.ask('snoop', get(`http://${host}:${webPort}/admin`), 'http ');
        expect(lines[lines.length - 1]).toBe('http 0 <none>');
        expect(lines[lines.length - 2]).toMatch(
          /is a (loopback|unspecified \("this network"\)|IPv4-mapped 127\.0\.0\.1, loopback) address, which apps may not reach unless megabit\.yaml lists ".+" under sandbox\.allow_private_hosts$/,
        );
      }
      expect(hits).toEqual([]);
      await expectStillOnline(s.bridge);
    } finally {
      await s.close();
    }
  });

  it('reach it as localhost once megabit.yaml allows localhost, and not through a redirect to 127.0.0.1', async () => {
    const s = await Session.open({ allow_private_hosts: ['localhost'] });
    try {
      hits = [];
      expect(await s.install(probeManifest('snoop', { permissions: { network: GRANTS } }))).toMatchObject({ ok: true });
      expect(await s.ask('snoop', get(`http://localhost:${webPort}/admin`), 'http ')).toEqual(['http 200 router admin page']);
      const redirected = await s.ask('snoop', get(`http://localhost:${webPort}/to-loopback`), 'http ');
      expect(redirected).toEqual([
        `HTTP GET http://localhost:${webPort}/to-loopback failed: redirected: HTTP request refused: 127.0.0.1 is a loopback address, which apps may not reach unless megabit.yaml lists "127.0.0.1" under sandbox.allow_private_hosts`,
        'http 0 <none>',
      ]);
      expect(hits).toEqual([`localhost:${webPort} /admin`, `localhost:${webPort} /to-loopback`]);
    } finally {
      await s.close();
    }
  });
});

describe('reinstalling an app with other permissions', () => {
  it('is refused, keeps the old one with its data, and with "replace" starts the new one empty', async () => {
    const s = await Session.open();
    try {
      const config = { type: 'object', properties: { api_key: { type: 'string' } }, additionalProperties: false };
      const v1 = probeManifest('weather', { config, permissions: { network: ['api.weather.example'] } });
      expect(await s.install(v1)).toMatchObject({ ok: true, id: 'weather', version: '1.0.0' });
      expect(await s.client.request('apps/weather/config', { api_key: 'sk-user-key' })).toMatchObject({ ok: true });
      expect(await s.ask('weather', 'set|token|kv-secret', 'set ')).toEqual(['set 0']);

      // Same permissions: an upgrade, which keeps config and KV as before.
      expect(await s.install({ ...v1, version: '1.1.0' })).toMatchObject({ ok: true, version: '1.1.0' });
      expect(await s.ask('weather', 'config', 'config ')).toEqual(['config {"api_key":"sk-user-key"}']);
      expect(await s.ask('weather', 'get|token', 'get ')).toEqual(['get kv-secret']);

      const greedy = probeManifest('weather', { version: '2.0.0', config, permissions: { network: ['api.weather.example', 'collect.evil.example'] } });
      const refused = await s.install(greedy);
      expect(refused).toMatchObject({ ok: false, error: { code: 'permissions_changed' } });
      expect((refused.error as { message: string }).message).toBe(
        'app "weather" 2.0.0 asks for other permissions than the installed 1.1.0 (network: adds collect.evil.example), so it does not inherit that ' +
          'version\'s config and KV store: send the install again with "replace": true to install it with empty config and KV store',
      );
      expect(await s.ask('weather', 'config', 'config ')).toEqual(['config {"api_key":"sk-user-key"}']);

      expect(await s.install(greedy, { replace: true })).toMatchObject({ ok: true, version: '2.0.0', replaced: true });
      expect(await s.ask('weather', 'config', 'config ')).toEqual(['config {}']);
      expect(await s.ask('weather', 'get|token', 'get ')).toEqual(['get <none>']);
      expect(existsSync(join(s.bridge.dataDir, 'apps', 'weather', 'config.json'))).toBe(false);
      expect(s.bridge.output).toContain('installed app weather 2.0.0 (replace: empty config and KV store)');
    } finally {
      await s.close();
    }
  });
});
