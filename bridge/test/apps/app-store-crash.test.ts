import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppStore } from '../../src/apps';
import { discardAside, makeScratchFolder, readFiles, refreshStaged, stageFolder, swapIn } from '../../src/apps/folder-swap';
import { bundleForNode } from '../helpers/bundle-sources';
import { crashyManifest, crashyWasm } from '../helpers/crash/crashy-app';
import { PAUSED, pausePointEnv } from '../helpers/pause-point-env';
import { acceptAll, manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

let tmp: TempDataDir;
beforeEach(() => {
  tmp = tempDataDir();
});
afterEach(() => tmp.cleanup());

function loaded(): AppStore {
  const store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  return store;
}

describe('recovery of an interrupted install or removal', () => {
  it('deletes staging folders and the folders of finished removals', () => {
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    writeAppFolder(tmp.appsDir, '.staging-0123456789ab', manifestFor('clock'), { 'clock.wasm': wasmModule().slice(0, 5) });
    writeAppFolder(tmp.appsDir, '.removing-gone-0123456789ab', manifestFor('gone'), { 'gone.wasm': wasmModule() });
    const store = loaded();
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(store.list().map((a) => [a.id, a.status])).toEqual([['clock', 'ok']]);
  });

  it("deletes a module check's scratch folder left by a bridge killed during the check", () => {
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    const scratch = makeScratchFolder(tmp.appsDir);
    expect(existsSync(scratch)).toBe(true);
    const store = loaded();
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(store.list().map((a) => a.id)).toEqual(['clock']);
  });

  it('puts the old version back when the crash came between the two renames', () => {
    writeAppFolder(tmp.appsDir, '.aside-my-app-0123456789ab', manifestFor('my-app'), { 'my-app.wasm': wasmModule(), 'kv.json': '{"k":"v"}' });
    writeAppFolder(tmp.appsDir, '.staging-ba9876543210', manifestFor('my-app', { version: '2.0.0' }), { 'my-app.wasm': wasmModule() });
    const store = loaded();
    expect(readdirSync(tmp.appsDir)).toEqual(['my-app']);
    expect(store.get('my-app')).toMatchObject({ status: 'ok', version: '1.0.0' });
    expect(readFileSync(join(tmp.appsDir, 'my-app', 'kv.json'), 'utf8')).toBe('{"k":"v"}');
  });

  it('keeps the new version when the crash came before the old one was deleted', () => {
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock', { version: '2.0.0' }), { 'clock.wasm': wasmModule() });
    writeAppFolder(tmp.appsDir, '.aside-clock-0123456789ab', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    const store = loaded();
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(store.get('clock')).toMatchObject({ status: 'ok', version: '2.0.0' });
  });

  it('finishes a first-run install of the default apps that was interrupted', async () => {
    mkdirSync(join(tmp.dataDir, '.apps-staging-0123456789ab', 'half'), { recursive: true });
    const source = writeAppFolder(join(tmp.dataDir, 'src'), 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    const store = new AppStore(tmp.dataDir, recordingLog());
    expect(await store.installDefaults([source])).toEqual(['clock']);
    expect(readdirSync(tmp.dataDir).sort()).toEqual(['apps', 'src']);
  });
});

describe('swapIn', () => {
  it('puts the old version back when the new one cannot be moved in', () => {
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    expect(() => swapIn(tmp.appsDir, join(tmp.appsDir, '.staging-000000000000'), 'clock')).toThrow(/ENOENT/);
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(loaded().get('clock')).toMatchObject({ status: 'ok', version: '1.0.0' });
  });
});

describe('staging an upgrade', () => {
  const KEPT = ['kv.json', 'config.json'];

  it('takes the app data as it is at the swap, not as it was when staging began', async () => {
    const dir = writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule(), 'kv.json': '{"k":1}', 'config.json': '{"a":1}' });
    const kept = await readFiles(dir, KEPT);
    const schema = { type: 'object', properties: { a: { type: 'number' } } } as const;
    const staging = await stageFolder(tmp.appsDir, [
      ['manifest.json', JSON.stringify(manifestFor('clock', { version: '2.0.0', config: schema }))],
      ['clock.wasm', wasmModule()],
      ...kept,
    ]);
    // Changed while the staging ran: one file rewritten, one deleted.
    writeFileSync(join(dir, 'config.json'), '{"a":2}');
    rmSync(join(dir, 'kv.json'));
    refreshStaged(staging, dir, KEPT, kept);
    const aside = swapIn(tmp.appsDir, staging, 'clock');
    expect(readdirSync(tmp.appsDir).sort()).toEqual([basename(aside!), 'clock'].sort());
    await discardAside(aside!);
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(readdirSync(dir).sort()).toEqual(['clock.wasm', 'config.json', 'manifest.json']);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"a":2}');
    expect(loaded().get('clock')).toMatchObject({ status: 'ok', version: '2.0.0' });
  });

  it('adds app data that appeared while staging ran', async () => {
    const dir = writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    const kept = await readFiles(dir, KEPT);
    expect(kept.size).toBe(0);
    const staging = await stageFolder(tmp.appsDir, [
      ['manifest.json', JSON.stringify(manifestFor('clock'))],
      ['clock.wasm', wasmModule()],
    ]);
    writeFileSync(join(dir, 'kv.json'), '{"k":2}');
    refreshStaged(staging, dir, KEPT, kept);
    expect(readFileSync(join(staging, 'kv.json'), 'utf8')).toBe('{"k":2}');
    expect(readdirSync(staging).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('removes the staging folder when a file cannot be staged', async () => {
    // "manifest.json" is then a file, so nothing can be written under it.
    await expect(
      stageFolder(tmp.appsDir, [
        ['manifest.json', '{}'],
        ['manifest.json/clock.wasm', wasmModule()],
      ]),
    ).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(tmp.appsDir)).toEqual([]);
  });
});

describe('crash safety under SIGKILL', () => {
  const ROUNDS = 20;
  let script: string;
  let bundleDir: TempDataDir;

  beforeAll(() => {
    bundleDir = tempDataDir();
    script = join(bundleDir.dataDir, 'install-loop.js');
    // The child runs the real store code, bundled from the sources (jest's transform is not there).
    bundleForNode({
      entryPoints: [join(__dirname, '..', 'helpers', 'crash', 'install-loop.ts')],
      target: 'node20',
      outfile: script,
      logLevel: 'error',
    });
  });
  afterAll(() => bundleDir.cleanup());

  /**
   * Runs the install loop frozen just before its `step`-th store step (see helpers/pause-point.js),
   * kills it there, and resolves with the step it stopped before ("rename a b").
   */
  function runAndKill(dataDir: string, firstVersion: number, mode: 'upgrade' | 'fresh', step: number): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, [script, dataDir, String(firstVersion), mode], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...pausePointEnv(step) },
      });
      let stderr = '';
      let pausedBefore: string | undefined;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const pause = PAUSED.exec(stderr);
        if (pause && pausedBefore === undefined) {
          pausedBefore = `${pause[2]} ${pause[3]}`;
          child.kill('SIGKILL');
        }
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL' && pausedBefore !== undefined) resolvePromise(pausedBefore);
        else reject(new Error(`install loop exited by itself (code ${code}): ${stderr}`));
      });
    });
  }

  /** What apps/ holds; a kill before the first install made it leaves none (a busy machine is slow to get there). */
  const appsEntries = (): string[] => (existsSync(tmp.appsDir) ? readdirSync(tmp.appsDir) : []);
  /** The store's own folders left by the kill: proof that it landed in the middle of a write. */
  const leftovers = (): string[] =>
    appsEntries()
      .filter((n) => n.startsWith('.'))
      .map((n) => n.replace(/-[0-9a-f]{12}$/, ''));

  it(`leaves the old or the new version complete after a kill before each of the first ${ROUNDS} steps of upgrades`, async () => {
    const store = loaded();
    await store.install(crashyManifest(0), crashyWasm(0), acceptAll);
    writeFileSync(join(tmp.appsDir, 'crashy', 'kv.json'), '{"visits":"7"}');
    let version = 0;
    let cut = 0;
    for (let step = 1; step <= ROUNDS; step++) {
      const pausedBefore = await runAndKill(tmp.dataDir, version + 1, 'upgrade', step);
      if (leftovers().length > 0) cut++;

      const after = loaded();
      expect(readdirSync(tmp.appsDir)).toEqual(['crashy']);
      const app = after.get('crashy');
      if (app?.status !== 'ok') throw new Error(`step ${step} (killed before ${pausedBefore}): ${JSON.stringify(app)}`);
      const n = Number(app.version.split('.')[2]);
      expect(n).toBeGreaterThanOrEqual(version);
      expect(app.manifest).toEqual(crashyManifest(n));
      expect(readdirSync(app.dir).sort()).toEqual(['kv.json', 'manifest.json', crashyManifest(n).bin].sort());
      // Buffer.equals: jest's deep equality is very slow on half-megabyte arrays.
      expect(Buffer.from(after.readWasm('crashy')).equals(crashyWasm(n))).toBe(true);
      expect(readFileSync(app.kvFile, 'utf8')).toBe('{"visits":"7"}');
      version = n;
    }
    process.stdout.write(`crash test (upgrades): reached version ${version}; ${cut} of ${ROUNDS} kills left a half-done install to recover\n`);
    // Every step but the old version's deletion leaves a staging or set-aside folder behind.
    expect(cut).toBeGreaterThanOrEqual(ROUNDS / 2);
  }, 120_000);

  it(`leaves the app complete or absent after a kill before each of the first ${ROUNDS} steps of first installs and removals`, async () => {
    let version = 0;
    let cut = 0;
    const outcomes = { present: 0, absent: 0 };
    for (let step = 1; step <= ROUNDS; step++) {
      // The child starts on a data dir without the app, as recovery left it (or empty at first).
      const pausedBefore = await runAndKill(tmp.dataDir, version + 1, 'fresh', step);
      if (leftovers().length > 0) cut++;

      const after = loaded();
      const app = after.get('crashy');
      if (!app) {
        expect(appsEntries()).toEqual([]);
        outcomes.absent++;
      } else {
        if (app.status !== 'ok') throw new Error(`step ${step} (killed before ${pausedBefore}): ${JSON.stringify(app)}`);
        expect(readdirSync(tmp.appsDir)).toEqual(['crashy']);
        const n = Number(app.version.split('.')[2]);
        expect(n).toBeGreaterThan(version);
        expect(app.manifest).toEqual(crashyManifest(n));
        expect(readdirSync(app.dir).sort()).toEqual(['manifest.json', crashyManifest(n).bin].sort());
        expect(Buffer.from(after.readWasm('crashy')).equals(crashyWasm(n))).toBe(true);
        version = n;
        outcomes.present++;
        // The next round must install it for the first time again.
        after.remove('crashy');
      }
    }
    process.stdout.write(
      `crash test (first installs): ${cut} of ${ROUNDS} kills left a half-done install or removal to recover; app found ${outcomes.present} times, absent ${outcomes.absent} times\n`,
    );
    // Kills before a step of the first install leave it absent; kills before its removal's steps leave it there.
    expect(outcomes.present).toBeGreaterThan(0);
    expect(outcomes.absent).toBeGreaterThan(0);
    expect(cut).toBeGreaterThanOrEqual(ROUNDS / 2);
  }, 120_000);
});

describe('a removal is never undone by recovery', () => {
  it('does not restore a folder renamed for removal', () => {
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    renameSync(join(tmp.appsDir, 'clock'), join(tmp.appsDir, '.removing-clock-0123456789ab'));
    expect(loaded().list()).toEqual([]);
    expect(readdirSync(tmp.appsDir)).toEqual([]);
  });
});
