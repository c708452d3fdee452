/**
 * Other local users must not read app API keys: the real bridge tightens a data dir an older
 * version left at 0755/0644, writes everything it writes 0600 in 0700 folders, and warns when
 * megabit.yaml holds a token that others can read. Checked with `stat` on every path.
 */
import { chmodSync, lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { delay } from '../helpers/ports';
import { newDataDir, writeApp } from '../helpers/data-dir';
import { buildProbeApp, probeManifest } from '../helpers/fault-apps';

jest.setTimeout(60_000);

/** Every path under `dir` (not following links) with its permission bits. */
function modes(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stats = lstatSync(path);
    found.set(path, stats.mode & 0o777);
    if (stats.isDirectory()) for (const [p, m] of modes(path)) found.set(p, m);
  }
  return found;
}

let bridge: RunningBridge | undefined;
afterEach(async () => {
  await bridge?.dispose();
  bridge = undefined;
});

it('a loose data dir is tightened at start, and everything written later is private', async () => {
  const probe = await buildProbeApp();
  const dataDir = newDataDir();
  writeApp(dataDir, probeManifest('old', { config: { type: 'object' } }), probe);
  writeFileSync(join(dataDir, 'apps', 'old', 'config.json'), '{"api_key":"sk-old"}');
  writeFileSync(join(dataDir, 'state.json'), '{"order":["old"],"disabled":[]}');
  chmodSync(dataDir, 0o755);
  for (const [path] of modes(dataDir)) chmodSync(path, lstatSync(path).isDirectory() ? 0o755 : 0o644);

  bridge = await startBridge({ dataDir, settings: { homeassistant: { token: 'a-long-lived-token' }, rotation: { enabled: false } } });
  const config = join(dataDir, 'megabit.yaml');
  expect(bridge.output).toContain(`tightened the permissions of the data dir ${dataDir} from 0755 to 0700`);
  // The helper wrote megabit.yaml with the default umask (0644).
  expect(bridge.output).toContain(
    `WARN  [megabit] ${config} holds homeassistant.token and every user of this machine can read it (mode 0644): run "chmod 600 ${config}"`,
  );

  // Now the bridge writes: an install, config, KV (saved when the app stops), rotation state, device settings.
  const client = await TestClient.connect(bridge.mqttUrl);
  try {
    const wasm = Buffer.from(probe).toString('base64');
    const manifest = probeManifest('fresh', { config: { type: 'object' } });
    expect(await client.request('apps/install', { manifest, wasm }, 30_000)).toMatchObject({ ok: true });
    expect(await client.request('apps/fresh/config', { api_key: 'sk-new' })).toMatchObject({ ok: true });
    expect(await client.request('app', 'fresh')).toMatchObject({ ok: true });
    for (let i = 0; i < 20; i++) await client.request('apps/fresh/data', `set|k${i}|v`);
    expect(await client.request('apps/order', { order: ['fresh', 'old'] })).toMatchObject({ ok: true });
    expect(await client.request('display', { brightness: 7 })).toMatchObject({ ok: true });
    expect(await client.request('app', 'old')).toMatchObject({ ok: true });
    // The KV store is saved when the app is switched away; wait for the file.
    for (let i = 0; i < 50 && !readdirSync(join(dataDir, 'apps', 'fresh')).includes('kv.json'); i++) await delay(100);
  } finally {
    await client.close();
  }
  await bridge.stop();

  const all = modes(dataDir);
  const written = [
    'apps/fresh/kv.json',
    'apps/fresh/config.json',
    'apps/fresh/manifest.json',
    'apps/fresh/probe.wasm',
    'state.json',
    'device.json',
    'apps/old/config.json',
  ];
  for (const file of written) expect([file, all.get(join(dataDir, file))]).toEqual([file, 0o600]);
  const loose = [...all].filter(([path, m]) => path !== config && (m & 0o077) !== 0).map(([path, m]) => `${path} ${m.toString(8)}`);
  expect(loose).toEqual([]);
  expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
});

it('a megabit.yaml without secrets, or a private one with them, gets no warning', async () => {
  const dataDir = newDataDir();
  bridge = await startBridge({ dataDir, settings: { homeassistant: { enabled: true } } });
  const config = join(dataDir, 'megabit.yaml');
  expect(lstatSync(config).mode & 0o777).toBe(0o644);
  expect(bridge.output).toContain(`settings from ${config}`);
  expect(bridge.output).not.toContain('can read it');

  const settings = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  writeFileSync(config, JSON.stringify({ ...settings, homeassistant: { token: 'a-long-lived-token' } }));
  chmodSync(config, 0o600);
  await bridge.restart();
  expect(bridge.output.match(/starting \(settings from/g)?.length).toBe(2);
  expect(bridge.output).not.toContain('can read it');
});
