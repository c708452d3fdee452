import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppStore, type AppsChange } from '../../src/apps';
import { DomainError } from '../../src/errors';
import { apiErrorOf } from '../../src/mqtt/api/error-codes';
import { acceptAll, manifestFor, tempDataDir, wasmModule, writeAppFolder, type TempDataDir } from '../helpers/apps';
import { recordingLog } from '../helpers/logs';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['city'],
  properties: {
    city: { type: 'string', minLength: 1 },
    format: { enum: ['12h', '24h'], default: '24h' },
    units: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { temperature: { enum: ['C', 'F'], default: 'C' } },
    },
    brightness: { type: 'integer', minimum: 0, maximum: 100, default: 80 },
  },
};

let tmp: TempDataDir;
let store: AppStore;
beforeEach(async () => {
  tmp = tempDataDir();
  store = new AppStore(tmp.dataDir, recordingLog());
  store.load();
  await store.install(manifestFor('weather', { config: { ...schema, required: [] } }), wasmModule(), acceptAll);
  await store.install(manifestFor('strict', { config: schema }), wasmModule(), acceptAll);
  await store.install(manifestFor('plain'), wasmModule(), acceptAll);
});
afterEach(() => tmp.cleanup());

function failureOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    // A domain error, as the API would answer it.
    if (e instanceof DomainError) return apiErrorOf(e)!;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('app config', () => {
  it('returns the schema defaults when nothing is stored', () => {
    expect(store.getConfig('weather')).toEqual({ format: '24h', units: { temperature: 'C' }, brightness: 80 });
    expect(store.getConfig('plain')).toEqual({});
  });

  it('stores a valid config atomically and returns it with defaults filled in', () => {
    const seen: AppsChange[] = [];
    store.on('changed', (c) => seen.push(c));
    expect(store.setConfig('weather', { city: 'Oslo', format: '12h' })).toEqual({
      city: 'Oslo',
      format: '12h',
      units: { temperature: 'C' },
      brightness: 80,
    });
    expect(JSON.parse(readFileSync(join(tmp.appsDir, 'weather', 'config.json'), 'utf8'))).toEqual({ city: 'Oslo', format: '12h' });
    expect(seen).toEqual([{ added: [], updated: [], removed: [], configured: ['weather'], replaced: [], reordered: false }]);
    const again = new AppStore(tmp.dataDir, recordingLog());
    again.load();
    expect(again.getConfig('weather')).toEqual({ city: 'Oslo', format: '12h', units: { temperature: 'C' }, brightness: 80 });
  });

  it('names the field in every error and keeps the stored config', () => {
    store.setConfig('strict', { city: 'Rome' });
    const cases: Array<[unknown, string]> = [
      [{ city: 'Rome', format: '13h' }, 'config.format must be one of 12h, 24h'],
      [{}, 'config.city is required'],
      [{ city: 'Rome', colour: 'red' }, 'unknown field "config.colour"'],
      [{ city: 'Rome', units: { temperature: 'K' } }, 'config.units.temperature must be one of C, F'],
      [{ city: 'Rome', units: { wind: 'kmh' } }, 'unknown field "config.units.wind"'],
      [{ city: 'Rome', brightness: 150 }, 'config.brightness must be <= 100'],
      [{ city: 'Rome', brightness: 1.5 }, 'config.brightness must be a whole number'],
      [{ city: 42 }, 'config.city must be of type string'],
      [[1, 2], 'config must be a JSON object'],
      ['text', 'config must be a JSON object'],
    ];
    for (const [config, message] of cases) {
      expect(failureOf(() => store.setConfig('strict', config))).toEqual({ code: 'invalid_payload', message });
    }
    expect(store.getConfig('strict')).toEqual({ city: 'Rome', format: '24h', units: { temperature: 'C' }, brightness: 80 });
  });

  it('refuses settings for an app without a config schema', () => {
    expect(store.setConfig('plain', {})).toEqual({});
    expect(failureOf(() => store.setConfig('plain', { a: 1 }))).toEqual({
      code: 'invalid_payload',
      message: 'unknown field "config.a": app "plain" has no settings',
    });
  });

  it('refuses unknown apps', () => {
    expect(failureOf(() => store.getConfig('ghost'))).toEqual({ code: 'unknown_app', message: 'app "ghost" is not installed' });
    expect(failureOf(() => store.setConfig('ghost', {}))).toMatchObject({ code: 'unknown_app' });
  });

  it('refuses to write into a folder removed behind its back', () => {
    rmSync(join(tmp.appsDir, 'weather'), { recursive: true });
    expect(failureOf(() => store.setConfig('weather', { city: 'Oslo' }))).toMatchObject({ code: 'unknown_app' });
    expect(() => readFileSync(join(tmp.appsDir, 'weather', 'config.json'))).toThrow(/ENOENT/);
  });

  it('repairs an app that failed because of a hand-edited config', () => {
    writeAppFolder(tmp.appsDir, 'edited', manifestFor('edited', { config: schema }), { 'edited.wasm': wasmModule(), 'config.json': '{"city": ""}' });
    store.rescan();
    expect(store.get('edited')).toMatchObject({
      status: 'failed',
      error: `${join(tmp.appsDir, 'edited', 'config.json')}: config.city must NOT have fewer than 1 characters`,
    });
    expect(failureOf(() => store.getConfig('edited'))).toMatchObject({ code: 'app_failed' });
    const seen: AppsChange[] = [];
    store.on('changed', (c) => seen.push(c));
    store.setConfig('edited', { city: 'Lima' });
    expect(store.get('edited')?.status).toBe('ok');
    expect(seen).toEqual([{ added: [], updated: ['edited'], removed: [], configured: ['edited'], replaced: [], reordered: false }]);
  });

  it('checks a kept config against the schema of the new version', async () => {
    store.setConfig('weather', { city: 'Oslo', format: '12h' });
    const narrower = { ...schema, required: [], properties: { ...schema.properties, format: { enum: ['24h'] } } };
    const entry = await store.install(manifestFor('weather', { version: '2.0.0', config: narrower }), wasmModule(), acceptAll);
    expect(entry).toMatchObject({ status: 'failed', error: expect.stringContaining('config.json: config.format must be one of 24h') });
    store.setConfig('weather', { city: 'Oslo' });
    expect(store.get('weather')?.status).toBe('ok');
    expect(store.getConfig('weather')).toMatchObject({ city: 'Oslo', brightness: 80 });
  });
});
