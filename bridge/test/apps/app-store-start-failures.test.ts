/**
 * Crash-loop protection in the app store: failed starts are counted in state.json, the third in
 * a row disables the app with the reason, across restarts (a new store on the same data dir),
 * until it is reinstalled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppStore, type AppsChange } from '../../src/apps';
import { START_FAILURES_TO_DISABLE } from '../../src/apps/start-failures';
import { acceptAll, manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

let tmp: TempDataDir;
beforeEach(async () => {
  tmp = tempDataDir();
  const store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  await store.install(manifestFor('crashy'), wasmModule(), acceptAll);
  await store.install(manifestFor('calm'), wasmModule(), acceptAll);
});
afterEach(() => tmp.cleanup());

/** A store as a restarted bridge has it. */
function reopen(): AppStore {
  const store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  return store;
}

const stateFile = (): Record<string, unknown> => JSON.parse(readFileSync(join(tmp.dataDir, 'state.json'), 'utf8')) as Record<string, unknown>;

it(`${START_FAILURES_TO_DISABLE} failed starts in a row, one per run, disable the app with the reason until it is reinstalled`, async () => {
  for (let run = 1; run < START_FAILURES_TO_DISABLE; run++) {
    const store = reopen();
    expect(store.get('crashy')).toMatchObject({ status: 'ok' });
    store.appFailedToStart('crashy', `setup() failed (returned 1) in run ${run}`);
  }
  const store = reopen();
  const changes: AppsChange[] = [];
  store.on('changed', (c) => changes.push(c));
  store.appFailedToStart('crashy', 'setup() failed (returned 1) in run 3');
  const reason = 'disabled after 3 failed starts in a row (reinstall it to try again); the last: setup() failed (returned 1) in run 3';
  expect(store.get('crashy')).toMatchObject({ status: 'failed', error: reason, enabled: true });
  expect(changes).toEqual([expect.objectContaining({ updated: ['crashy'] })]);
  // Across restarts, and the other app is untouched.
  expect(reopen().get('crashy')).toMatchObject({ status: 'failed', error: reason });
  expect(reopen().get('calm')).toMatchObject({ status: 'ok' });
  // A reinstall gives it a fresh start.
  const again = reopen();
  await again.install(manifestFor('crashy', { version: '1.0.1' }), wasmModule('fixed'), acceptAll);
  expect(again.get('crashy')).toMatchObject({ status: 'ok' });
  expect(reopen().get('crashy')).toMatchObject({ status: 'ok' });
  expect(stateFile()).toEqual({ order: [], disabled: [] });
});

it('a start that succeeds in between resets the count', () => {
  let store = reopen();
  for (let i = 0; i < START_FAILURES_TO_DISABLE - 1; i++) store.appFailedToStart('crashy', 'trap');
  store.appStarted('crashy');
  expect(stateFile()).toEqual({ order: [], disabled: [] });
  store = reopen();
  store.appFailedToStart('crashy', 'trap');
  expect(reopen().get('crashy')).toMatchObject({ status: 'ok' });
});

it('new files put in the folder by hand are a reinstall; removing the app forgets its failures', () => {
  const store = reopen();
  for (let i = 0; i < START_FAILURES_TO_DISABLE; i++) store.appFailedToStart('crashy', 'trap');
  expect(store.get('crashy')).toMatchObject({ status: 'failed' });
  writeAppFolder(tmp.appsDir, 'crashy', manifestFor('crashy', { version: '2.0.0' }), { 'crashy.wasm': wasmModule('new') });
  store.rescan();
  expect(store.get('crashy')).toMatchObject({ status: 'ok', version: '2.0.0' });
  for (let i = 0; i < START_FAILURES_TO_DISABLE; i++) store.appFailedToStart('calm', 'trap');
  store.remove('calm');
  expect(stateFile()).toEqual({ order: [], disabled: [] });
});

it('a broken failure entry in state.json is dropped, not the order', () => {
  const store = reopen();
  store.setOrder(['calm']);
  const file = join(tmp.dataDir, 'state.json');
  writeFileSync(file, JSON.stringify({ order: ['calm'], disabled: [], startFailures: { crashy: { count: 'x' } }, starting: '../etc' }));
  expect(
    reopen()
      .list()
      .map((a) => [a.id, a.status]),
  ).toEqual([
    ['calm', 'ok'],
    ['crashy', 'ok'],
  ]);
});
