import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppStore } from '../../src/apps';
import { manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

let tmp: TempDataDir;
beforeEach(() => {
  tmp = tempDataDir();
});
afterEach(() => tmp.cleanup());

/** Build folders as the examples have them: apps/examples/<name>/build/. */
function buildFolder(name: string, manifest: unknown, files: Record<string, Uint8Array | string>): string {
  return writeAppFolder(join(tmp.dataDir, 'examples', name), 'build', manifest, files);
}

describe('AppStore.installDefaults', () => {
  it('installs the example apps on first run, skipping broken ones with a logged reason', async () => {
    const clock = buildFolder('clock', manifestFor('clock'), { 'clock.wasm': wasmModule('clock'), 'clock.wat': 'source, not copied' });
    const text = buildFolder('text', manifestFor('text'), { 'text.wasm': wasmModule('text') });
    const broken = buildFolder('broken', { id: 'broken' }, {});
    const twin = buildFolder('twin', manifestFor('clock'), { 'clock.wasm': wasmModule('twin') });
    const log = recordingLog();
    const store = new AppStore(tmp.dataDir, log);
    expect(await store.installDefaults([clock, text, broken, twin, join(tmp.dataDir, 'nowhere')])).toEqual(['clock', 'text']);
    expect(readdirSync(join(tmp.appsDir, 'clock')).sort()).toEqual(['clock.wasm', 'manifest.json']);
    expect(new Uint8Array(readFileSync(join(tmp.appsDir, 'clock', 'clock.wasm')))).toEqual(wasmModule('clock'));
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toEqual([
      expect.stringContaining(`${broken}: ${join(broken, 'manifest.json')}: manifest: "name" must be`),
      `default app not installed: ${twin}: app "clock" is already taken from another folder`,
      expect.stringMatching(/nowhere: .*ENOENT: no such file or directory, open '.*nowhere\/manifest.json'/),
    ]);
    expect(store.load().map((a) => [a.id, a.status])).toEqual([
      ['clock', 'ok'],
      ['text', 'ok'],
    ]);
  });

  it('does nothing once the apps folder exists, even if empty', async () => {
    mkdirSync(tmp.appsDir);
    const clock = buildFolder('clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    const store = new AppStore(tmp.dataDir, recordingLog());
    expect(await store.installDefaults([clock])).toEqual([]);
    expect(readdirSync(tmp.appsDir)).toEqual([]);
  });

  it('creates the apps folder even when no example could be installed', async () => {
    const store = new AppStore(tmp.dataDir, recordingLog());
    expect(await store.installDefaults([])).toEqual([]);
    expect(existsSync(tmp.appsDir)).toBe(true);
  });
});
