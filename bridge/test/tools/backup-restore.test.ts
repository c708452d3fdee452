/**
 * `megabit backup` and `megabit restore` through the real CLI. A running bridge gets an installed
 * app with config and KV data, a screen, an uploaded icon and a brightness; its backup is
 * restored on "another machine" (a different, empty HOME, no settings), where a bridge started
 * with no arguments shows all of it. Archives that would write outside the data dir (made with
 * GNU tar, as an attacker would), or that come from a newer format, are refused before anything
 * is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type AppStatus, DeviceTopics, type DeviceState } from '@megabit/contract';
import { writeTar } from '../../src/backup/tar';
import { BRIDGE_CLI, exampleInstall, type RunningBridge, startBridge } from '../helpers/bridge-process';
import { makePng } from '../helpers/icon-images';
import { TestClient, json } from '../helpers/mqtt-client';
import { exited, freePort, waitUntil } from '../helpers/ports';
import { run, type ToolResult } from '../helpers/run-tool';

jest.setTimeout(90_000);

const dir = mkdtempSync(join(tmpdir(), 'megabit-backup-'));
const DEVICE = 'kitchen';
const topics = new DeviceTopics('megabit', DEVICE);
const P = (path: string): string => topics.out(path);

/** The parent's environment without MEGABIT_* variables, plus the test's own. */
function environment(extra: Record<string, string>): string[] {
  const env = Object.entries(process.env).filter(([key]) => !key.startsWith('MEGABIT_'));
  return [...env, ...Object.entries(extra)].map(([k, v]) => `${k}=${v}`);
}

/** `megabit ARGS` with exactly this environment. */
const megabit = (args: string[], env: Record<string, string>): Promise<ToolResult> =>
  run('env', ['-i', ...environment(env), process.execPath, BRIDGE_CLI, ...args]);

/** Every file and folder under `root` whose permissions are not 0600 (files) or 0700 (folders). */
function notPrivate(root: string): string[] {
  const wrong: string[] = [];
  const walk = (path: string): void => {
    const stats = lstatSync(path);
    const wanted = stats.isDirectory() ? 0o700 : 0o600;
    if ((stats.mode & 0o777) !== wanted || stats.isSymbolicLink()) wrong.push(path);
    if (stats.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return wrong;
}

const RED: [number, number, number] = [255, 0, 0];
function hasPixel(frame: Buffer, [r, g, b]: [number, number, number]): boolean {
  for (let i = 0; i < frame.length; i += 3) if (frame[i] === r && frame[i + 1] === g && frame[i + 2] === b) return true;
  return false;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a backup of a running bridge, restored on another machine', () => {
  const archive = join(dir, 'kitchen.tar.gz');
  const home2 = join(dir, 'home2');
  const dataDir2 = join(home2, '.megabit');
  let bridge1: RunningBridge;
  let kvBefore: Buffer;
  let backup: ToolResult;
  let restore: ToolResult;
  let bridge2: ChildProcess | undefined;
  let output2 = '';
  let client2: TestClient;
  let ports2: { http: number; broker: number };

  beforeAll(async () => {
    bridge1 = await startBridge({ deviceId: DEVICE });
    const client1 = await TestClient.connect(bridge1.mqttUrl, topics);
    try {
      expect(await client1.request('apps/install', exampleInstall('board'))).toMatchObject({ ok: true });
      expect(await client1.request('apps/board/config', { color: '#ff0000' })).toMatchObject({ ok: true });
      expect(await client1.request('apps/board/data', 'Dinner at 7')).toMatchObject({ ok: true });
      expect(await client1.request('screens/power', { text: '1.2 kW', icon: 'bolt' })).toMatchObject({ ok: true });
      expect(
        await client1.request(
          'icons/heart',
          makePng(8, 8, () => [255, 0, 0, 255]),
        ),
      ).toMatchObject({ ok: true });
      expect(await client1.request('display', { brightness: 40 })).toMatchObject({ ok: true });
    } finally {
      await client1.close();
    }
    const kvFile = join(bridge1.dataDir, 'apps', 'board', 'kv.json');
    await waitUntil(() => existsSync(kvFile) && readFileSync(kvFile, 'utf8').length > 0, 'the board to save its message in KV');
    kvBefore = readFileSync(kvFile);
    // Taken while the bridge runs, as a nightly job would.
    backup = await megabit(['backup', archive, '--config', join(bridge1.dataDir, 'megabit.yaml')], { HOME: bridge1.dataDir });
    await bridge1.dispose();

    mkdirSync(home2);
    ports2 = { http: await freePort(), broker: await freePort() };
    const portEnv = { MEGABIT_HTTP_PORT: String(ports2.http), MEGABIT_BROKER_PORT: String(ports2.broker) };
    restore = await megabit(['restore', archive], { HOME: home2, ...portEnv });
    if (restore.code !== 0) return;
    // No arguments: it must find the restored settings in ~/.megabit by itself.
    const child = spawn('env', ['-i', ...environment({ HOME: home2, ...portEnv }), process.execPath, BRIDGE_CLI], { stdio: ['ignore', 'pipe', 'pipe'] });
    bridge2 = child;
    child.stdout!.on('data', (d: Buffer) => (output2 += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output2 += d.toString()));
    await waitUntil(() => output2.includes('try: mosquitto_pub') || child.exitCode !== null, 'the restored bridge to start', 30_000);
    client2 = await TestClient.connect(`mqtt://127.0.0.1:${ports2.broker}`, topics);
    await client2.subscribe(`megabit/${DEVICE}/#`);
  });

  afterAll(async () => {
    await client2?.close();
    if (bridge2 && bridge2.exitCode === null && bridge2.signalCode === null) {
      bridge2.kill('SIGKILL');
      await exited(bridge2);
    }
  });

  it('writes one archive that GNU tar lists, with the manifest first', async () => {
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const listing = await run('tar', ['tzf', archive]);
    expect(listing.code).toBe(0);
    const names = listing.stdout.trim().split('\n');
    expect(names[0]).toBe('megabit-backup.json');
    expect(names).toEqual(
      expect.arrayContaining([
        'settings/megabit.yaml',
        'data/apps/board/manifest.json',
        'data/apps/board/kv.json',
        'data/apps/board/config.json',
        'data/screens.json',
        'data/state.json',
        'data/device.json',
        expect.stringMatching(/^data\/icons\/heart\./),
      ]),
    );
  });

  it('restores into the empty data dir, private to the user, naming the new data dir in the settings', () => {
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`restored the settings into ${join(dataDir2, 'megabit.yaml')}`);
    expect(restore.stdout).toContain(`set data_dir in the restored settings to ${dataDir2}`);
    expect(readFileSync(join(dataDir2, 'apps', 'board', 'kv.json'))).toEqual(kvBefore);
    expect(notPrivate(dataDir2)).toEqual([]);
    expect(readdirSync(home2)).toEqual(['.megabit']);
  });

  it('the bridge started there has the settings, the app, the screen, the icon and the brightness', async () => {
    expect(output2).toContain(`settings from ${join(dataDir2, 'megabit.yaml')}, data in ${dataDir2}`);
    const state = json<DeviceState>((await client2.waitFor(P('state'))).payload);
    expect(state.brightness).toBe(40);
    const apps = json<Array<AppStatus & { kind?: string }>>((await client2.waitFor(P('state/apps'))).payload);
    expect(apps.find((a) => a.id === 'board')).toMatchObject({ status: 'ok' });
    expect(apps.find((a) => a.id === 'power')).toMatchObject({ kind: 'screen' });
    const icons = json<Array<{ name: string; builtin: boolean }>>((await client2.waitFor(P('state/icons'))).payload);
    expect(icons.find((i) => i.name === 'heart')).toMatchObject({ builtin: false });
  });

  it('the app shows its saved message in its configured colour: KV and config came along', async () => {
    expect(await client2.request('app', 'board')).toMatchObject({ ok: true });
    // Red text needs both: without the KV data the board says "No messages" in grey. Nothing
    // else on this display draws pure red. The board may have been on show already, its frame
    // unchanged since: any frame counts, not only one after the request.
    const frame = await client2.waitFor(P('display/frame'), (m) => hasPixel(m.payload, RED), 10_000);
    expect(hasPixel(frame.payload, RED)).toBe(true);
  });

  it('refuses to restore over the data dir while its bridge runs, and changes nothing', async () => {
    const before = readFileSync(join(dataDir2, 'megabit.yaml'));
    const again = await megabit(['restore', archive], { HOME: home2, MEGABIT_HTTP_PORT: String(ports2.http), MEGABIT_BROKER_PORT: String(ports2.broker) });
    expect(again.code).toBe(1);
    // Known from the bridge's lock where it keeps one (its pid), else from its busy port.
    expect(again.stderr).toMatch(new RegExp(`a bridge \\(pid ${bridge2?.pid}\\) is running|something listens on port ${ports2.http} \\(http\\.port\\)`));
    expect(readFileSync(join(dataDir2, 'megabit.yaml'))).toEqual(before);
    expect(readdirSync(home2)).toEqual(['.megabit']);
  });
});

describe('archives a restore refuses', () => {
  const home = join(dir, 'victim');
  const outside = join(dir, 'escaped');
  let ports: Record<string, string>;

  beforeAll(async () => {
    mkdirSync(home);
    ports = { MEGABIT_HTTP_PORT: String(await freePort()), MEGABIT_BROKER_PORT: String(await freePort()) };
  });

  /** A manifest of format 1 for archives built with GNU tar; the refusals come before it is compared. */
  function manifestFile(folder: string): void {
    const manifest = { format: 1, bridge_version: '0.1.0', created_at: new Date().toISOString(), data_dir: '/x', settings_file: null, files: [] };
    writeFileSync(join(folder, 'megabit-backup.json'), JSON.stringify(manifest));
  }

  async function refused(archive: string): Promise<ToolResult> {
    const result = await megabit(['restore', archive], { HOME: home, ...ports });
    expect(result.code).toBe(1);
    // Nothing written: not the data dir, not a staging folder, not the file the archive aims at.
    expect(readdirSync(home)).toEqual([]);
    expect(existsSync(outside)).toBe(false);
    return result;
  }

  it('a newer format, naming both versions', async () => {
    const manifest = { format: 2, bridge_version: '9.0.0', created_at: new Date().toISOString(), data_dir: '/x', settings_file: null, files: [] };
    const archive = join(dir, 'newer.tar.gz');
    writeFileSync(archive, gzipSync(writeTar([{ path: 'megabit-backup.json', data: Buffer.from(JSON.stringify(manifest)) }])));
    const result = await refused(archive);
    expect(result.stderr).toContain('this backup is in format 2, written by megabit 9.0.0; megabit 0.1.0 reads format 1 and older: update megabit');
  });

  it('an entry with an absolute path', async () => {
    const folder = mkdtempSync(join(dir, 'abs-'));
    manifestFile(folder);
    writeFileSync(join(folder, 'payload'), 'pwned');
    const archive = join(dir, 'absolute.tar');
    const made = await run('tar', ['-cPf', archive, '-C', folder, 'megabit-backup.json', '--transform', `s,^payload,${outside},`, 'payload']);
    expect(made.code).toBe(0);
    const result = await refused(archive);
    expect(result.stderr).toContain(`the entry "${outside}" is an absolute path`);
  });

  it('an entry that climbs out with ..', async () => {
    const folder = mkdtempSync(join(dir, 'dots-'));
    manifestFile(folder);
    writeFileSync(join(folder, 'payload'), 'pwned');
    const archive = join(dir, 'dots.tar.gz');
    const made = await run('tar', ['-czPf', archive, '-C', folder, 'megabit-backup.json', '--transform', 's,^payload,data/../../../escaped,', 'payload']);
    expect(made.code).toBe(0);
    const result = await refused(archive);
    expect(result.stderr).toContain('the entry "data/../../../escaped" leaves the archive\'s folder');
  });

  it('a symbolic link', async () => {
    const folder = mkdtempSync(join(dir, 'link-'));
    manifestFile(folder);
    symlinkSync(outside, join(folder, 'link'));
    const archive = join(dir, 'link.tar.gz');
    const made = await run('tar', ['-czf', archive, '-C', folder, 'megabit-backup.json', '--transform', 's,^link,data/apps/board/kv.json,', 'link']);
    expect(made.code).toBe(0);
    const result = await refused(archive);
    expect(result.stderr).toContain('the entry "data/apps/board/kv.json" is a symbolic link');
  });

  it('a file that does not match its manifest', async () => {
    const manifest = {
      format: 1,
      bridge_version: '0.1.0',
      created_at: new Date().toISOString(),
      data_dir: '/x',
      settings_file: null,
      files: [{ path: 'data/state.json', size: 2, sha256: '0'.repeat(64) }],
    };
    const archive = join(dir, 'damaged.tar.gz');
    const entries = [
      { path: 'megabit-backup.json', data: Buffer.from(JSON.stringify(manifest)) },
      { path: 'data/state.json', data: Buffer.from('{}') },
    ];
    writeFileSync(archive, gzipSync(writeTar(entries)));
    const result = await refused(archive);
    expect(result.stderr).toContain('data/state.json in the archive does not match its manifest');
  });
});

describe('restoring over a data dir that holds something, with the settings kept elsewhere', () => {
  const home = join(dir, 'home3');
  const dataDir = join(home, 'megabit-data');
  const settingsFile = join(dir, 'etc-megabit', 'megabit.yaml');
  const archive = join(dir, 'elsewhere.tar.gz');
  const settingsText = `# the display in the hall\ndata_dir: ${dataDir}\ndevice_id: hall\n`;
  let env: Record<string, string>;
  let busy: ToolResult;
  let restore: ToolResult;

  beforeAll(async () => {
    env = { HOME: home, MEGABIT_HTTP_PORT: String(await freePort()), MEGABIT_BROKER_PORT: String(await freePort()) };
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(join(dir, 'etc-megabit'));
    writeFileSync(join(dataDir, 'state.json'), '{"order":[]}');
    writeFileSync(settingsFile, settingsText);
    // A running bridge's lock (and the pid-named file it is linked from) stays out of the backup.
    writeFileSync(join(dataDir, 'bridge.lock'), `${process.pid}\n`);
    writeFileSync(join(dataDir, `bridge.lock.${process.pid}`), `${process.pid}\n`);
    const backup = await megabit(['backup', archive, '--config', settingsFile], env);
    expect(backup.code).toBe(0);
    // The lock names a live process (this test's): no restore, even with --force.
    const locked = await megabit(['restore', archive, '--config', settingsFile, '--force'], env);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain(`a bridge (pid ${process.pid}) is running on ${dataDir}: stop it first`);
    rmSync(join(dataDir, 'bridge.lock'));
    rmSync(join(dataDir, `bridge.lock.${process.pid}`));
    writeFileSync(join(dataDir, 'added-later'), 'x');
    // The settings here decide where the data goes, as for the bridge; they name the same folder.
    writeFileSync(settingsFile, `device_id: changed\ndata_dir: ${dataDir}\n`);
    // Another program on the bridge's HTTP port: refused, unless --force says it is not a bridge.
    const other = createServer(() => undefined);
    await new Promise<void>((resolve) => other.listen(Number(env.MEGABIT_HTTP_PORT), '127.0.0.1', resolve));
    try {
      busy = await megabit(['restore', archive, '--config', settingsFile], env);
      restore = await megabit(['restore', archive, '--config', settingsFile, '--force'], env);
    } finally {
      other.close();
    }
  });

  it("refuses while something listens on the bridge's port, naming the port and its key", () => {
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`something listens on port ${env.MEGABIT_HTTP_PORT} (http.port)`);
    expect(busy.stderr).toContain('--force');
  });

  it('swaps in the backup and keeps the previous data dir beside it', () => {
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(readdirSync(dataDir)).toEqual(['state.json']);
    const kept = readdirSync(home).filter((name) => name.startsWith('megabit-data.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(readdirSync(join(home, kept[0])).sort()).toEqual(['added-later', 'state.json']);
    expect(restore.stdout).toContain(`kept the previous data dir as ${join(home, kept[0])}`);
  });

  it('puts the settings back where --config names them, comments and all, 0600, keeping the previous file', () => {
    expect(readFileSync(settingsFile, 'utf8')).toBe(settingsText);
    expect(lstatSync(settingsFile).mode & 0o777).toBe(0o600);
    const kept = readdirSync(join(dir, 'etc-megabit')).filter((name) => name.startsWith('megabit.yaml.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, 'etc-megabit', kept[0]), 'utf8')).toBe(`device_id: changed\ndata_dir: ${dataDir}\n`);
    expect(restore.stdout).not.toContain('set data_dir');
  });
});
