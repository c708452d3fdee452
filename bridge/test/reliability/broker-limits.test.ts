/**
 * The embedded broker's limits, with the real bridge: packets over `broker.max_packet_bytes` close
 * their connection on TCP and on every WebSocket server (plain, wss, /mqtt), retained data stops
 * at its caps (bytes and count), the 64 MiB retained publishes that used to grow the bridge by
 * hundreds of MiB no longer do, and without logins every listener is on loopback (seen with `ss`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { makeCertificates } from '../helpers/certificates';
import { TestClient } from '../helpers/mqtt-client';
import { freePort } from '../helpers/ports';
import { rssBytes } from '../helpers/process-memory';
import { expectStillOnline } from '../helpers/still-online';
import { newDataDir } from '../helpers/data-dir';
import { megabitUserAdd, mosquittoPub, mosquittoSub } from '../helpers/mosquitto-tools';

/**
 * mosquitto_pub's exit codes when the broker cuts its connection (libmosquitto's MOSQ_ERR_*):
 * CONN_LOST (7) when it meets the close on a read, ERRNO (14: EPIPE, ECONNRESET) when it is still
 * writing the payload then. Which comes first is a race; both are a refusal.
 */
const CUT_BY_THE_BROKER = [7, 14];

jest.setTimeout(120_000);

const MiB = 1024 * 1024;

/** Whether an mqtt.js client over WebSocket is disconnected by publishing `bytes`. */
async function closedByPublishing(url: string, bytes: number, options: mqtt.IClientOptions = {}): Promise<boolean> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  const closed = new Promise<boolean>((resolve) => client.once('close', () => resolve(true)));
  const acked = client.publishAsync('test/ws', Buffer.alloc(bytes, 7), { qos: 1 }).then(
    () => false,
    () => true,
  );
  const result = await Promise.race([closed, acked]);
  client.end(true);
  return result;
}

describe('max_packet_bytes 1 MiB and a 128 KiB retained budget', () => {
  let bridge: RunningBridge;
  let wsPort: number;
  let watcher: TestClient;

  beforeAll(async () => {
    wsPort = await freePort();
    bridge = await startBridge({
      broker: { ws_port: wsPort, max_packet_bytes: MiB, max_retained_bytes: 128 * 1024 },
      settings: { rotation: { enabled: false } },
    });
    watcher = await TestClient.connect(bridge.mqttUrl);
    await watcher.subscribe('test/#');
  });

  afterAll(async () => {
    await watcher?.close();
    await bridge?.dispose();
  });

  it('closes a TCP connection that sends a 2 MiB publish; a 512 KiB one passes', async () => {
    const file = join(bridge.dataDir, 'big');
    writeFileSync(file, Buffer.alloc(2 * MiB, 1));
    const since = watcher.messages.length;
    const big = await mosquittoPub(bridge.brokerPort, ['-q', '1', '-t', 'test/big', '-f', file]);
    expect(CUT_BY_THE_BROKER).toContain(big.code);
    const small = await mosquittoPub(bridge.brokerPort, ['-q', '1', '-t', 'test/small', '-s'], Buffer.alloc(512 * 1024, 2));
    expect(small.code).toBe(0);
    await watcher.waitFor('test/small', () => true, 10_000, since);
    expect(watcher.on('test/big', since)).toEqual([]);
    await expectStillOnline(bridge);
  });

  it('closes a WebSocket connection (broker port and /mqtt) that sends a 2 MiB publish', async () => {
    for (const url of [`ws://127.0.0.1:${wsPort}`, bridge.wsUrl]) {
      expect(await closedByPublishing(url, 2 * MiB)).toBe(true);
      expect(await closedByPublishing(url, 256 * 1024)).toBe(false);
    }
    await expectStillOnline(bridge);
  });

  it('keeps new retained messages only within the budget; replacing and clearing still work', async () => {
    const kept = async (): Promise<string[]> => {
      const r = await mosquittoSub(bridge.brokerPort, ['-t', 'test/r/#', '--retained-only', '-W', '1', '-F', '%t %l']);
      return r.stdout.trim().split('\n').filter(Boolean).sort();
    };
    const publishRetained = (topic: string, bytes: number): Promise<unknown> =>
      bytes === 0
        ? mosquittoPub(bridge.brokerPort, ['-q', '1', '-r', '-t', topic, '-n'])
        : mosquittoPub(bridge.brokerPort, ['-q', '1', '-r', '-t', topic, '-s'], Buffer.alloc(bytes, 3));
    const since = watcher.messages.length;
    await publishRetained('test/r/1', 100 * 1024);
    await publishRetained('test/r/2', 100 * 1024);
    expect(await kept()).toEqual([`test/r/1 ${100 * 1024}`]);
    // Over the budget it is still delivered to those subscribed, just not kept.
    expect(watcher.on('test/r/2', since)).toHaveLength(1);
    expect(bridge.output).toMatch(/retained data is at its limit \(\d+ messages, \d+ bytes kept;/);
    await publishRetained('test/r/1', 50 * 1024);
    expect(await kept()).toEqual([`test/r/1 ${50 * 1024}`]);
    await publishRetained('test/r/1', 0);
    await publishRetained('test/r/2', 100 * 1024);
    expect(await kept()).toEqual([`test/r/2 ${100 * 1024}`]);
    await publishRetained('test/r/2', 0);
    expect(await kept()).toEqual([]);
    await expectStillOnline(bridge);
  });
});

describe('max_retained_messages 100', () => {
  it("keeps new retained topics up to the count, the bridge's own included; clearing one makes room for one", async () => {
    // Without discovery the bridge's own retained topics are all published at start: their count
    // stays put while the test fills the rest.
    const bridge = await startBridge({ broker: { max_retained_messages: 100 }, settings: { rotation: { enabled: false }, homeassistant: { enabled: false } } });
    try {
      const port = bridge.brokerPort;
      const retained = async (filter: string): Promise<string[]> =>
        (await mosquittoSub(port, ['-t', filter, '--retained-only', '-W', '1', '-F', '%t'])).stdout.trim().split('\n').filter(Boolean);
      const own = (await retained('#')).length;
      expect(own).toBeGreaterThan(0);
      expect(own).toBeLessThan(100);
      for (let i = 0; i < 100; i++) expect((await mosquittoPub(port, ['-q', '1', '-r', '-t', `test/c/${i}`, '-m', 'x'])).code).toBe(0);
      const kept = await retained('test/c/#');
      expect(kept).toHaveLength(100 - own);
      expect(await retained('#')).toHaveLength(100);
      expect(bridge.output).toMatch(/retained data is at its limit \(100 messages, \d+ bytes kept;/);
      // Full: one more new topic is not kept; a replacement is.
      await mosquittoPub(port, ['-q', '1', '-r', '-t', 'test/c/extra', '-m', 'x']);
      await mosquittoPub(port, ['-q', '1', '-r', '-t', kept[0], '-m', 'replaced']);
      expect(await retained('test/c/extra')).toEqual([]);
      expect((await mosquittoSub(port, ['-t', kept[0], '-C', '1', '-W', '5'])).stdout.trim()).toBe('replaced');
      // Clearing one makes room for exactly one.
      await mosquittoPub(port, ['-q', '1', '-r', '-t', kept[0], '-n']);
      await mosquittoPub(port, ['-q', '1', '-r', '-t', 'test/c/extra', '-m', 'x']);
      await mosquittoPub(port, ['-q', '1', '-r', '-t', 'test/c/extra2', '-m', 'x']);
      expect(await retained('test/c/extra')).toEqual(['test/c/extra']);
      expect(await retained('test/c/extra2')).toEqual([]);
      await expectStillOnline(bridge);
    } finally {
      await bridge.dispose();
    }
  });
});

describe('max_packet_bytes on the TLS WebSocket listener (broker.tls.ws_port)', () => {
  it('closes a wss connection that sends a 2 MiB publish; a 256 KiB one passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'megabit-wss-limit-'));
    const certs = makeCertificates(dir);
    const wssPort = await freePort();
    const bridge = await startBridge({
      broker: { max_packet_bytes: MiB, tls: { port: await freePort(), ws_port: wssPort, cert: certs.cert, key: certs.key } },
      settings: { rotation: { enabled: false } },
    });
    try {
      const secure = { ca: readFileSync(certs.ca), rejectUnauthorized: true };
      expect(await closedByPublishing(`wss://127.0.0.1:${wssPort}`, 2 * MiB, secure)).toBe(true);
      expect(await closedByPublishing(`wss://127.0.0.1:${wssPort}`, 256 * 1024, secure)).toBe(false);
      await expectStillOnline(bridge);
    } finally {
      await bridge.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the default limits', () => {
  it('three 64 MiB retained publishes are refused at the packet header: RSS stays bounded, the bridge online', async () => {
    const bridge = await startBridge({ settings: { rotation: { enabled: false } } });
    try {
      await expectStillOnline(bridge);
      const file = join(bridge.dataDir, 'huge');
      writeFileSync(file, Buffer.alloc(64 * MiB, 5));
      const before = rssBytes(bridge.pid!) / MiB;
      for (let i = 0; i < 3; i++) {
        const result = await mosquittoPub(bridge.brokerPort, ['-q', '1', '-r', '-t', `test/huge/${i}`, '-f', file]);
        expect(CUT_BY_THE_BROKER).toContain(result.code);
      }
      const after = rssBytes(bridge.pid!) / MiB;
      // Before the limits: 118 -> 405 MiB. One 64 MiB payload buffered would already break this.
      expect(after - before).toBeLessThan(48);
      const retained = await mosquittoSub(bridge.brokerPort, ['-t', 'test/#', '--retained-only', '-W', '1']);
      expect(retained.stdout).toBe('');
      await expectStillOnline(bridge);
    } finally {
      await bridge.dispose();
    }
  });
});

describe('where the listeners bind', () => {
  async function listeners(options: { broker?: Record<string, unknown>; http?: Record<string, unknown> }): Promise<string[]> {
    const bridge = await startBridge({
      ...options,
      broker: { host: undefined, ws_port: await freePort(), ...options.broker },
      http: { host: undefined, ...options.http },
    });
    try {
      const lines = execFileSync('ss', ['-ltnpH'])
        .toString()
        .split('\n')
        .filter((l) => l.includes(`pid=${bridge.pid},`));
      return lines.map((l) => l.trim().split(/\s+/)[3]).sort();
    } finally {
      await bridge.dispose();
    }
  }

  it('without logins: broker TCP, broker WebSocket and HTTP all on loopback only', async () => {
    const bound = await listeners({});
    expect(bound).toHaveLength(3);
    for (const address of bound) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('with a password file: on every interface (the LAN can reach it, with a login)', async () => {
    const dataDir = newDataDir();
    const passwordFile = join(dataDir, 'passwords');
    try {
      await megabitUserAdd(passwordFile, 'admin', 'pw');
      const bound = await listeners({ broker: { password_file: passwordFile } });
      expect(bound).toHaveLength(3);
      for (const address of bound) expect(address).toMatch(/^0\.0\.0\.0:\d+$/);
    } finally {
      // Only the password file lives here; the bridge ran in a data dir of its own.
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
