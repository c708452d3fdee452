import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStore } from '../../src/apps';
import { manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

let tmp: TempDataDir;
beforeEach(() => {
  tmp = tempDataDir();
});
afterEach(() => tmp.cleanup());

function load(): AppStore {
  const store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  return store;
}

function errorOf(store: AppStore, id: string): string {
  const app = store.get(id);
  if (!app) throw new Error(`app "${id}" is not listed`);
  if (app.status !== 'failed') throw new Error(`app "${id}" is not failed`);
  return app.error;
}

describe('AppStore.load', () => {
  it('lists nothing when the apps folder does not exist yet', () => {
    expect(load().list()).toEqual([]);
  });

  it('lists a valid app with its files', () => {
    const dir = writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock', { name: 'Clock', version: '2.1.0' }), { 'clock.wasm': wasmModule() });
    const [app] = load().list();
    expect(app).toMatchObject({
      id: 'clock',
      name: 'Clock',
      version: '2.1.0',
      enabled: true,
      status: 'ok',
      dir,
      wasmPath: join(dir, 'clock.wasm'),
      kvFile: join(dir, 'kv.json'),
      configFile: join(dir, 'config.json'),
    });
    expect(app.manifest).toEqual(manifestFor('clock', { name: 'Clock', version: '2.1.0' }));
    expect(app.error).toBeUndefined();
  });

  it('lists broken apps as failed with the file and the problem, next to the good ones', () => {
    const wasm = wasmModule();
    writeAppFolder(tmp.appsDir, 'good', manifestFor('good'), { 'good.wasm': wasm });
    writeAppFolder(tmp.appsDir, 'badjson', '{"id": "badjson",', {});
    writeAppFolder(tmp.appsDir, 'extra', { ...manifestFor('extra'), colour: 'red' }, { 'extra.wasm': wasm });
    writeAppFolder(tmp.appsDir, 'mismatch', manifestFor('other', { bin: 'mismatch.wasm' }), { 'mismatch.wasm': wasm });
    writeAppFolder(tmp.appsDir, 'dotdot', manifestFor('../x'), { 'dotdot.wasm': wasm });
    writeAppFolder(tmp.appsDir, 'binpath', manifestFor('binpath', { bin: '../good/good.wasm' }));
    writeAppFolder(tmp.appsDir, 'nowasm', manifestFor('nowasm'));
    writeAppFolder(tmp.appsDir, 'notwasm', manifestFor('notwasm'), { 'notwasm.wasm': 'hello, not wasm' });
    writeAppFolder(tmp.appsDir, 'halfwasm', manifestFor('halfwasm'), { 'halfwasm.wasm': wasm.slice(0, 3) });
    mkdirSync(join(tmp.appsDir, 'empty'));
    writeAppFolder(tmp.appsDir, 'array', '[1, 2]');

    let store!: AppStore;
    expect(() => {
      store = load();
    }).not.toThrow();
    const m = (id: string): string => join(tmp.appsDir, id, 'manifest.json');
    expect(store.get('good')?.status).toBe('ok');
    expect(errorOf(store, 'badjson')).toMatch(new RegExp(`^${m('badjson')} is not valid JSON`));
    expect(errorOf(store, 'extra')).toBe(`${m('extra')}: manifest: unknown field "colour"`);
    expect(errorOf(store, 'mismatch')).toBe(`${m('mismatch')}: "id" is "other" but the app folder is "mismatch"; they must be equal`);
    expect(errorOf(store, 'dotdot')).toContain(`${m('dotdot')}: manifest: "id" must be 1-64 characters`);
    expect(errorOf(store, 'binpath')).toBe(`${m('binpath')}: manifest: "bin" must be a file name ending in .wasm, with no folders`);
    expect(errorOf(store, 'nowasm')).toBe(`${join(tmp.appsDir, 'nowasm', 'nowasm.wasm')} (the manifest's "bin") is missing`);
    expect(errorOf(store, 'notwasm')).toContain('notwasm.wasm (the manifest\'s "bin") is not a WebAssembly module');
    expect(errorOf(store, 'halfwasm')).toContain('halfwasm.wasm (the manifest\'s "bin") is not a WebAssembly module');
    expect(errorOf(store, 'empty')).toBe(`${m('empty')} is missing`);
    expect(errorOf(store, 'array')).toBe(`${m('array')}: manifest must be a JSON object`);
    expect(store.list().map((a) => a.id)).toEqual([
      'array',
      'badjson',
      'binpath',
      'dotdot',
      'empty',
      'extra',
      'good',
      'halfwasm',
      'mismatch',
      'notwasm',
      'nowasm',
    ]);
    // A failed app keeps what could be read, so the user sees which app it is.
    expect(store.get('mismatch')).toMatchObject({ name: 'App other', version: '1.0.0' });
    expect(store.get('badjson')).toMatchObject({ name: 'badjson', version: '' });
  });

  it('reports a "bin" that is not a file', () => {
    writeAppFolder(tmp.appsDir, 'odd', manifestFor('odd'));
    mkdirSync(join(tmp.appsDir, 'odd', 'odd.wasm'));
    expect(errorOf(load(), 'odd')).toBe(`${join(tmp.appsDir, 'odd', 'odd.wasm')} (the manifest's "bin") is not a regular file`);
  });

  it('ignores staging folders, stray files and folders that are not app ids', () => {
    const log = recordingLog();
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    writeAppFolder(tmp.appsDir, '.staging-0123456789ab', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    writeAppFolder(tmp.appsDir, 'My App', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    writeFileSync(join(tmp.appsDir, 'README.txt'), 'notes');
    const store = new AppStore(tmp.dataDir, log);
    store.load();
    expect(store.list().map((a) => a.id)).toEqual(['clock']);
    expect(log.lines).toContainEqual({ level: 'warn', message: expect.stringContaining('My App: folder name is not a valid app id') });
  });

  it('marks an app failed when its stored config or its config schema is invalid', () => {
    const schema = { type: 'object', properties: { format: { enum: ['12h', '24h'] } } };
    writeAppFolder(tmp.appsDir, 'badcfg', manifestFor('badcfg', { config: schema }), { 'badcfg.wasm': wasmModule(), 'config.json': '{"format": "13h"}' });
    writeAppFolder(tmp.appsDir, 'badschema', manifestFor('badschema', { config: { type: 'nonsense' } }), { 'badschema.wasm': wasmModule() });
    const store = load();
    expect(errorOf(store, 'badcfg')).toBe(`${join(tmp.appsDir, 'badcfg', 'config.json')}: config.format must be one of 12h, 24h`);
    expect(errorOf(store, 'badschema')).toContain('manifest.json: "config" is not a valid JSON schema');
  });

  it('survives a broken state.json', () => {
    writeAppFolder(tmp.appsDir, 'clock', manifestFor('clock'), { 'clock.wasm': wasmModule() });
    writeFileSync(join(tmp.dataDir, 'state.json'), '{"order": 5');
    const log = recordingLog();
    const store = new AppStore(tmp.dataDir, log);
    expect(store.load().map((a) => a.id)).toEqual(['clock']);
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('state.json cannot be read'))).toBe(true);
  });
});
