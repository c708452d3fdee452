/**
 * Other local users cannot read what the bridge stores (app config holds API keys): the real
 * bridge creates its data dir 0700 and every file in it 0600, makes an older 0755 data dir
 * private, and warns at start when megabit.yaml holds a token or password others can read.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { buildProbeApp, installRequest, probeManifest } from './support/fault-apps';

jest.setTimeout(60_000);

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Every file and folder under `dir`, with its mode. */
function modes(dir: string): Array<[string, number]> {
  return readdirSync(dir).flatMap((name): Array<[string, number]> => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? [[path, modeOf(path)], ...modes(path)] : [[path, modeOf(path)]];
  });
}

let bridge: RunningBridge | undefined;
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'megabit-private-'));
});
afterEach(async () => {
  await bridge?.dispose();
  bridge = undefined;
  rmSync(home, { recursive: true, force: true });
});

test('a new data dir is 0700 and what the bridge writes into it is 0600 (folders 0700)', async () => {
  const dataDir = join(home, 'data');
  bridge = await startBridge({ dataDir: home, settings: { data_dir: dataDir, rotation: { enabled: false } } });
  const client = await TestClient.connect(bridge.mqttUrl);
  try {
    const manifest = probeManifest('keys', { config: { type: 'object', properties: { api_key: { type: 'string' } } } });
    expect(await client.request('apps/install', installRequest(manifest, await buildProbeApp()), 30_000)).toMatchObject({ ok: true });
    expect(await client.request('apps/keys/config', { api_key: 'secret' })).toMatchObject({ ok: true });
    expect(await client.request('display', { brightness: 40 })).toMatchObject({ ok: true });
  } finally {
    await client.close();
  }
  expect(modeOf(dataDir)).toBe(0o700);
  const written = modes(dataDir);
  expect(written.map(([p]) => p)).toEqual(expect.arrayContaining([join(dataDir, 'apps', 'keys', 'config.json'), join(dataDir, 'device.json')]));
  for (const [path, mode] of written) expect([path, mode]).toEqual([path, statSync(path).isDirectory() ? 0o700 : 0o600]);
});

test('an existing 0755 data dir is made private, and a readable megabit.yaml with a token gets a warning', async () => {
  const dataDir = join(home, 'data');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  bridge = await startBridge({ dataDir: home, settings: { data_dir: dataDir, homeassistant: { enabled: false, token: 'abc.def' } } });
  const configFile = join(home, 'megabit.yaml');
  expect(modeOf(dataDir)).toBe(0o700);
  expect(bridge.output).toContain(`made the data dir ${dataDir} private (mode 755 -> 700)`);
  expect(modeOf(configFile) & 0o044).not.toBe(0);
  expect(bridge.output).toContain(`${configFile} holds homeassistant.token and other users can read it (mode ${modeOf(configFile).toString(8)}); run: chmod 600 ${configFile}`);
  // Once the user did so, no warning.
  chmodSync(configFile, 0o600);
  const from = bridge.output.length;
  await bridge.restart();
  expect(bridge.output.slice(from)).not.toContain('other users can read it');
  expect(bridge.output).not.toContain('abc.def');
});
