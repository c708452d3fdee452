import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStore, type AppsChange } from '../../src/apps';
import { writeFileAtomic } from '../../src/util/atomic-file';
import { acceptAll, manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';
import { delay } from '../helpers/ports';

let tmp: TempDataDir;
let store: AppStore;
let seen: AppsChange[];

beforeEach(() => {
  tmp = tempDataDir();
  store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  seen = [];
  store.on('changed', (c) => seen.push(c));
  store.watch();
});
afterEach(() => {
  store.unwatch();
  tmp.cleanup();
});

/** Resolves once `done()` holds after a `changed` event; fails after `ms`. */
function changeWhere(done: () => boolean, what: string, ms = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.off('changed', check);
      reject(new Error(`no change within ${ms} ms: ${what}; events: ${JSON.stringify(seen)}; list: ${JSON.stringify(store.list())}`));
    }, ms);
    function check(): void {
      if (!done()) return;
      clearTimeout(timer);
      store.off('changed', check);
      resolve();
    }
    store.on('changed', check);
  });
}

describe('AppStore.watch', () => {
  it('picks up a hand-copied app, a changed manifest and a removal', async () => {
    const source = writeAppFolder(join(tmp.dataDir, 'download'), 'hand', manifestFor('hand'), { 'hand.wasm': wasmModule() });
    cpSync(source, join(tmp.appsDir, 'hand'), { recursive: true });
    await changeWhere(() => store.get('hand')?.status === 'ok', 'hand-copied app');
    expect(seen.some((c) => c.added.includes('hand'))).toBe(true);

    seen = [];
    writeFileSync(join(tmp.appsDir, 'hand', 'manifest.json'), JSON.stringify(manifestFor('hand', { version: '1.1.0' })));
    await changeWhere(() => store.get('hand')?.version === '1.1.0', 'changed manifest');
    expect(seen.some((c) => c.updated.includes('hand'))).toBe(true);

    seen = [];
    rmSync(join(tmp.appsDir, 'hand'), { recursive: true });
    await changeWhere(() => store.get('hand') === undefined, 'removal');
    expect(seen.some((c) => c.removed.includes('hand'))).toBe(true);
  });

  it('re-validates an app whose module was still being written', async () => {
    const wasm = wasmModule('a module being copied slowly');
    writeAppFolder(tmp.appsDir, 'slow', manifestFor('slow'), { 'slow.wasm': wasm.slice(0, 4) });
    await changeWhere(() => store.get('slow')?.status === 'failed', 'half-written app listed as failed');
    writeFileSync(join(tmp.appsDir, 'slow', 'slow.wasm'), wasm);
    await changeWhere(() => store.get('slow')?.status === 'ok', 'finished module');
    expect(seen.some((c) => c.updated.includes('slow'))).toBe(true);
  });

  it('reports a hand-edited config', async () => {
    const config = { type: 'object', properties: { format: { enum: ['12h', '24h'] } } };
    await store.install(manifestFor('clock', { config }), wasmModule(), acceptAll);
    seen = [];
    writeFileSync(join(tmp.appsDir, 'clock', 'config.json'), '{"format":"12h"}');
    await changeWhere(() => seen.some((c) => c.configured.includes('clock')), 'config edit');
    expect(store.getConfig('clock')).toEqual({ format: '12h' });
  });

  it('does not report its own changes twice, nor KV writes of the sandbox', async () => {
    await store.install(manifestFor('clock'), wasmModule(), acceptAll);
    expect(seen).toHaveLength(1);
    for (let i = 0; i < 5; i++) writeFileAtomic(join(tmp.appsDir, 'clock', 'kv.json'), JSON.stringify({ i: String(i) }));
    await delay(800);
    expect(seen).toHaveLength(1);
  });

  it('stops reporting after unwatch()', async () => {
    store.unwatch();
    writeAppFolder(tmp.appsDir, 'late', manifestFor('late'), { 'late.wasm': wasmModule() });
    await delay(800);
    expect(seen).toEqual([]);
    expect(store.get('late')).toBeUndefined();
  });
});

describe('AppStore periodic rescan', () => {
  it('finds changes without fs.watch events', async () => {
    // The debounce outlasts the test, so only the periodic rescan can report anything.
    const polling = new AppStore(tmp.dataDir, recordingLog(), { debounceMs: 60_000, rescanMs: 200 });
    polling.load();
    const found: AppsChange[] = [];
    polling.on('changed', (c) => found.push(c));
    polling.watch();
    try {
      writeAppFolder(tmp.appsDir, 'quiet', manifestFor('quiet'), { 'quiet.wasm': wasmModule() });
      const deadline = Date.now() + 2000;
      while (polling.get('quiet')?.status !== 'ok' && Date.now() < deadline) await delay(50);
      expect(polling.get('quiet')?.status).toBe('ok');
      expect(found).toEqual([{ added: ['quiet'], updated: [], removed: [], configured: [], replaced: [], reordered: false }]);
    } finally {
      polling.unwatch();
    }
  });
});
