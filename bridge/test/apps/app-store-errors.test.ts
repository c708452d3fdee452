/**
 * The app store's refusals that the other store tests leave out: each is a domain error of its
 * own type (errors.ts), which the API answers with the code its table gives.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_INSTALL_BYTES } from '@megabit/contract';
import { AppStore } from '../../src/apps';
import { AppFailedError, InstallFailedError, RemoveFailedError, TooLargeError } from '../../src/errors';
import { apiErrorOf } from '../../src/mqtt/api/error-codes';
import { acceptAll, manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

let tmp: TempDataDir;
let store: AppStore;
beforeEach(async () => {
  tmp = tempDataDir();
  store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  await store.install(manifestFor('clock', { config: { type: 'object', properties: { hour24: { type: 'boolean' } } } }), wasmModule(), acceptAll);
});
afterEach(() => tmp.cleanup());

describe('AppStore refusals', () => {
  it('refuses a module larger than an install may be (TooLargeError: too_large)', async () => {
    const huge = new Uint8Array(MAX_INSTALL_BYTES + 1);
    huge.set(wasmModule());
    const install = store.install(manifestFor('huge'), huge, acceptAll);
    await expect(install).rejects.toThrow(TooLargeError);
    expect(apiErrorOf(await install.catch((e: unknown) => e))).toEqual({ code: 'too_large', message: `"wasm" is larger than ${MAX_INSTALL_BYTES} bytes` });
  });

  it('reports an install it cannot write (InstallFailedError: install_failed) and keeps nothing', async () => {
    // The apps folder replaced by a file: no staging folder can be made in it, even as root.
    rmSync(tmp.appsDir, { recursive: true });
    writeFileSync(tmp.appsDir, 'not a folder');
    const install = store.install(manifestFor('fresh'), wasmModule(), acceptAll);
    await expect(install).rejects.toThrow(InstallFailedError);
    expect(apiErrorOf(await install.catch((e: unknown) => e))).toMatchObject({
      code: 'install_failed',
      message: expect.stringMatching(/^could not write app "fresh" to /),
    });
    expect(store.get('fresh')).toBeUndefined();
  });

  it('reports an app it cannot remove from the disk (RemoveFailedError: internal) and keeps it', () => {
    // The apps folder replaced by a file: the app's folder cannot be moved aside, even as root.
    rmSync(tmp.appsDir, { recursive: true });
    writeFileSync(tmp.appsDir, 'not a folder');
    let thrown: unknown;
    try {
      store.remove('clock');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RemoveFailedError);
    expect(apiErrorOf(thrown)).toEqual({ code: 'internal', message: expect.stringMatching(/^could not remove app "clock": .*ENOTDIR/) });
    expect(store.get('clock')).toBeDefined();
  });

  it('refuses the module, config and new config of a failed app (AppFailedError: app_failed)', () => {
    writeAppFolder(tmp.appsDir, 'clock', '{"id":', { 'clock.wasm': wasmModule() });
    store.rescan();
    expect(store.get('clock')).toMatchObject({ status: 'failed' });
    for (const call of [() => store.readWasm('clock'), () => store.getConfig('clock'), () => store.setConfig('clock', {})]) {
      expect(call).toThrow(AppFailedError);
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(apiErrorOf(thrown)).toMatchObject({ code: 'app_failed', message: expect.stringMatching(/^app "clock" failed: /) });
    }
  });

  it('refuses the config of an app whose stored config is not JSON (AppFailedError)', () => {
    writeFileSync(join(tmp.appsDir, 'clock', 'config.json'), '{ not json');
    store.rescan();
    expect(() => store.getConfig('clock')).toThrow(AppFailedError);
  });
});
