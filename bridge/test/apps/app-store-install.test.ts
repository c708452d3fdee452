import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStore, type AppsChange } from '../../src/apps';
import { DomainError } from '../../src/errors';
import { apiErrorOf } from '../../src/mqtt/api/error-codes';
import { acceptAll, manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

let tmp: TempDataDir;
beforeEach(() => {
  tmp = tempDataDir();
});
afterEach(() => tmp.cleanup());

function newStore(): AppStore {
  const store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  return store;
}

function changes(store: AppStore): AppsChange[] {
  const seen: AppsChange[] = [];
  store.on('changed', (c) => seen.push(c));
  return seen;
}

async function failureOf(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; message: string }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    // A domain error, as the API would answer it.
    if (!(e instanceof DomainError)) throw e;
    return apiErrorOf(e)!;
  }
  throw new Error('expected a DomainError');
}

describe('AppStore.install', () => {
  it('installs an app that a new store then lists', async () => {
    const store = newStore();
    const seen = changes(store);
    const wasm = wasmModule('v1');
    const checked: string[] = [];
    const entry = await store.install(manifestFor('clock'), wasm, async (bytes, m) => {
      checked.push(`${m.id}:${bytes.length}`);
    });
    expect(checked).toEqual([`clock:${wasm.length}`]);
    expect(entry).toMatchObject({ id: 'clock', status: 'ok', version: '1.0.0' });
    expect(seen).toEqual([{ added: ['clock'], updated: [], removed: [], configured: [], replaced: [], reordered: false }]);
    expect(new Uint8Array(readFileSync(join(tmp.appsDir, 'clock', 'clock.wasm')))).toEqual(wasm);
    expect(JSON.parse(readFileSync(join(tmp.appsDir, 'clock', 'manifest.json'), 'utf8'))).toEqual(manifestFor('clock'));
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(
      newStore()
        .list()
        .map((a) => [a.id, a.status]),
    ).toEqual([['clock', 'ok']]);
    expect(store.readWasm('clock')).toEqual(wasm);
  });

  it('upgrades an app, keeping its KV store and config and dropping the old module', async () => {
    const store = newStore();
    const config = { type: 'object', properties: { format: { enum: ['12h', '24h'] } } };
    await store.install(manifestFor('clock', { bin: 'old.wasm', config }), wasmModule('v1'), acceptAll);
    writeFileSync(join(tmp.appsDir, 'clock', 'kv.json'), '{"count":"41"}');
    writeFileSync(join(tmp.appsDir, 'clock', 'config.json'), '{"format":"24h"}');
    const seen = changes(store);
    const entry = await store.install(manifestFor('clock', { version: '2.0.0', bin: 'new.wasm', config }), wasmModule('v2'), acceptAll);
    expect(entry).toMatchObject({ status: 'ok', version: '2.0.0', wasmPath: join(tmp.appsDir, 'clock', 'new.wasm') });
    expect(seen.map((c) => c.updated)).toEqual([['clock']]);
    expect(readdirSync(join(tmp.appsDir, 'clock')).sort()).toEqual(['config.json', 'kv.json', 'manifest.json', 'new.wasm']);
    expect(readFileSync(join(tmp.appsDir, 'clock', 'kv.json'), 'utf8')).toBe('{"count":"41"}');
    expect(readFileSync(join(tmp.appsDir, 'clock', 'config.json'), 'utf8')).toBe('{"format":"24h"}');
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(store.getConfig('clock')).toEqual({ format: '24h' });
  });

  it('leaves nothing behind when the sandbox check fails', async () => {
    const store = newStore();
    await store.install(manifestFor('clock'), wasmModule('v1'), acceptAll);
    const seen = changes(store);
    const failure = await failureOf(
      store.install(manifestFor('clock', { version: '2.0.0' }), wasmModule('v2'), async () => {
        throw new Error('missing export "run"');
      }),
    );
    expect(failure).toEqual({ code: 'install_failed', message: 'app "clock" 2.0.0 does not run in the sandbox: missing export "run"' });
    const fresh = await failureOf(
      store.install(manifestFor('fresh'), wasmModule(), async () => {
        throw new Error('trap');
      }),
    );
    expect(fresh.code).toBe('install_failed');
    expect(seen).toEqual([]);
    expect(readdirSync(tmp.appsDir)).toEqual(['clock']);
    expect(store.list().map((a) => [a.id, a.version])).toEqual([['clock', '1.0.0']]);
    expect(
      newStore()
        .list()
        .map((a) => [a.id, a.version]),
    ).toEqual([['clock', '1.0.0']]);
  });

  it('refuses invalid manifests and modules before calling the check', async () => {
    const store = newStore();
    const check = jest.fn(acceptAll);
    expect(await failureOf(store.install({ ...manifestFor('x'), id: '../x' }, wasmModule(), check))).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringContaining('manifest: "id" must be'),
    });
    expect(await failureOf(store.install(manifestFor('x', { bin: '../x.wasm' }), wasmModule(), check))).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringContaining('"bin" must be a file name'),
    });
    expect(await failureOf(store.install({ ...manifestFor('x'), extra: 1 }, wasmModule(), check))).toEqual({
      code: 'invalid_payload',
      message: 'manifest: unknown field "extra"',
    });
    expect(await failureOf(store.install(manifestFor('x'), new TextEncoder().encode('not wasm'), check))).toEqual({
      code: 'invalid_payload',
      message: '"wasm" of app "x" is not a WebAssembly module (bad or missing header)',
    });
    expect(await failureOf(store.install(manifestFor('x', { config: { type: 'nonsense' } }), wasmModule(), check))).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringContaining('manifest: "config" is not a valid JSON schema'),
    });
    expect(check).not.toHaveBeenCalled();
    expect(existsSync(tmp.appsDir) ? readdirSync(tmp.appsDir) : []).toEqual([]);
  });

  it('runs concurrent installs one after the other', async () => {
    const store = newStore();
    const order: string[] = [];
    const slow = (label: string, ms: number) => async (): Promise<void> => {
      order.push(`start ${label}`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`end ${label}`);
    };
    await Promise.all([
      store.install(manifestFor('a'), wasmModule('a'), slow('a', 30)),
      store.install(manifestFor('a', { version: '1.0.1' }), wasmModule('a2'), slow('a2', 1)),
    ]);
    expect(order).toEqual(['start a', 'end a', 'start a2', 'end a2']);
    expect(store.get('a')?.version).toBe('1.0.1');
  });

  it('finishes an install even when a change listener throws', async () => {
    const log = recordingLog();
    const store = new AppStore(tmp.dataDir, log);
    store.load();
    store.on('changed', () => {
      throw new Error('listener bug');
    });
    await expect(store.install(manifestFor('clock'), wasmModule(), acceptAll)).resolves.toMatchObject({ status: 'ok' });
    expect(log.lines).toContainEqual({ level: 'error', message: expect.stringContaining('listener bug') });
  });

  it('installs over an app whose manifest cannot be read only as a replacement', async () => {
    writeAppFolder(tmp.appsDir, 'clock', '{broken');
    const store = newStore();
    expect(store.get('clock')?.status).toBe('failed');
    const refused = await failureOf(store.install(manifestFor('clock'), wasmModule(), acceptAll));
    expect(refused.code).toBe('permissions_changed');
    expect(refused.message).toMatch(
      /^app "clock" is installed but its manifest cannot be read \(.*\), so its permissions cannot be compared: send the install again with "replace": true/,
    );
    await store.install(manifestFor('clock'), wasmModule(), acceptAll, { replace: true });
    expect(store.get('clock')?.status).toBe('ok');
  });

  describe('a reinstall that asks for other permissions', () => {
    const v1 = manifestFor('weather', { permissions: { network: ['api.weather.example'], kv_bytes: 1024 } });
    const v2 = manifestFor('weather', {
      version: '2.0.0',
      permissions: { network: ['api.weather.example', 'collect.evil.example'], homeassistant: ['lock.front_door'], kv_bytes: 1024 },
    });
    const file = (name: string): string => join(tmp.appsDir, 'weather', name);

    async function installedWithData(): Promise<AppStore> {
      const store = newStore();
      await store.install(v1, wasmModule('v1'), acceptAll);
      writeFileSync(file('kv.json'), '{"token":"kv-secret"}');
      writeFileSync(file('config.json'), '{"api_key":"config-secret"}');
      return store;
    }

    it('is refused with what changed, and leaves the installed version, its config and KV alone', async () => {
      const store = await installedWithData();
      let checked = false;
      const refused = await failureOf(
        store.install(v2, wasmModule('v2'), async () => {
          checked = true;
        }),
      );
      expect(refused).toEqual({
        code: 'permissions_changed',
        message:
          'app "weather" 2.0.0 asks for other permissions than the installed 1.0.0 (homeassistant: adds lock.front_door; network: adds collect.evil.example), ' +
          'so it does not inherit that version\'s config and KV store: send the install again with "replace": true to install it with empty config and KV store',
      });
      expect(checked).toBe(false);
      expect(store.get('weather')?.version).toBe('1.0.0');
      expect(readFileSync(file('config.json'), 'utf8')).toBe('{"api_key":"config-secret"}');
      expect(readFileSync(file('kv.json'), 'utf8')).toBe('{"token":"kv-secret"}');
      // Dropping a permission, or changing the KV quota, is a change too.
      const fewer = await failureOf(store.install(manifestFor('weather', { permissions: { kv_bytes: 2048 } }), wasmModule('v3'), acceptAll));
      expect(fewer.message).toContain('(network: drops api.weather.example; kv_bytes: 1024 → 2048)');
    });

    it('with "replace" installs the new version with empty config and KV store, in one swap', async () => {
      const store = await installedWithData();
      const entry = await store.install(v2, wasmModule('v2'), acceptAll, { replace: true });
      expect(entry).toMatchObject({ version: '2.0.0', status: 'ok' });
      expect(readdirSync(join(tmp.appsDir, 'weather')).sort()).toEqual(['manifest.json', 'weather.wasm']);
      // Nothing of the old folder is left beside the new one either.
      expect(readdirSync(tmp.appsDir)).toEqual(['weather']);
      expect(store.getConfig('weather')).toEqual({});
    });

    it('with the same permissions (in any order) is an upgrade that keeps both', async () => {
      const store = await installedWithData();
      const same = manifestFor('weather', { version: '1.1.0', permissions: { kv_bytes: 1024, network: ['api.weather.example'] } });
      await store.install(same, wasmModule('v1.1'), acceptAll);
      expect(store.get('weather')?.version).toBe('1.1.0');
      expect(readFileSync(file('config.json'), 'utf8')).toBe('{"api_key":"config-secret"}');
      expect(readFileSync(file('kv.json'), 'utf8')).toBe('{"token":"kv-secret"}');
    });
  });
});

describe('AppStore.remove', () => {
  it('removes the folder and the app from the rotation state', async () => {
    const store = newStore();
    await store.install(manifestFor('a'), wasmModule(), acceptAll);
    await store.install(manifestFor('b'), wasmModule(), acceptAll);
    store.setOrder(['b', 'a'], ['a']);
    writeFileSync(join(tmp.appsDir, 'a', 'kv.json'), '{}');
    const seen = changes(store);
    store.remove('a');
    expect(seen).toEqual([{ added: [], updated: [], removed: ['a'], configured: [], replaced: [], reordered: true }]);
    expect(readdirSync(tmp.appsDir)).toEqual(['b']);
    expect(JSON.parse(readFileSync(join(tmp.dataDir, 'state.json'), 'utf8'))).toEqual({ order: ['b'], disabled: [] });
    expect(
      newStore()
        .list()
        .map((x) => x.id),
    ).toEqual(['b']);
  });

  it('refuses unknown apps', async () => {
    const store = newStore();
    expect(await failureOf(() => store.remove('ghost'))).toEqual({ code: 'unknown_app', message: 'app "ghost" is not installed' });
    expect(await failureOf(() => store.remove('../etc'))).toMatchObject({ code: 'unknown_app' });
  });
});

describe('AppStore.setOrder', () => {
  async function storeWith(ids: string[]): Promise<AppStore> {
    const store = newStore();
    for (const id of ids) await store.install(manifestFor(id), wasmModule(), acceptAll);
    return store;
  }

  it('puts new apps at the end sorted by id', async () => {
    const store = await storeWith(['c', 'a', 'b']);
    expect(store.list().map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });

  it('moves named apps first, keeps the others in their order, and persists order and disabled', async () => {
    const store = await storeWith(['a', 'b', 'c', 'd']);
    const seen = changes(store);
    store.setOrder(['c', 'a'], ['b']);
    expect(store.list().map((x) => [x.id, x.enabled])).toEqual([
      ['c', true],
      ['a', true],
      ['b', false],
      ['d', true],
    ]);
    store.setOrder(['d']);
    expect(store.list().map((x) => [x.id, x.enabled])).toEqual([
      ['d', true],
      ['c', true],
      ['a', true],
      ['b', false],
    ]);
    expect(seen.map((c) => c.reordered)).toEqual([true, true]);
    await store.install(manifestFor('0new'), wasmModule(), acceptAll);
    const again = newStore();
    expect(again.list().map((x) => [x.id, x.enabled])).toEqual([
      ['d', true],
      ['c', true],
      ['a', true],
      ['b', false],
      ['0new', true],
    ]);
    again.setOrder([], []);
    expect(
      newStore()
        .list()
        .every((x) => x.enabled),
    ).toBe(true);
  });

  it('changes nothing when an id is unknown or listed twice', async () => {
    const store = await storeWith(['a', 'b']);
    store.setOrder(['b'], ['a']);
    const before = readFileSync(join(tmp.dataDir, 'state.json'), 'utf8');
    expect(await failureOf(() => store.setOrder(['a', 'ghost']))).toEqual({ code: 'unknown_app', message: 'not installed: "ghost"' });
    expect(await failureOf(() => store.setOrder(['a'], ['nope']))).toEqual({ code: 'unknown_app', message: 'not installed: "nope"' });
    expect(await failureOf(() => store.setOrder(['a', 'a']))).toEqual({ code: 'invalid_payload', message: '"order" lists an app twice' });
    expect(await failureOf(() => store.setOrder(['A/B']))).toEqual({ code: 'invalid_payload', message: '"order" must be an array of app ids' });
    expect(readFileSync(join(tmp.dataDir, 'state.json'), 'utf8')).toBe(before);
    expect(store.list().map((x) => [x.id, x.enabled])).toEqual([
      ['b', true],
      ['a', false],
    ]);
  });

  it('keeps failed apps in the order, flagged as failed', async () => {
    const store = await storeWith(['a']);
    writeAppFolder(tmp.appsDir, 'broken', '{');
    store.rescan();
    store.setOrder(['broken', 'a']);
    expect(
      newStore()
        .list()
        .map((x) => [x.id, x.status]),
    ).toEqual([
      ['broken', 'failed'],
      ['a', 'ok'],
    ]);
  });
});
