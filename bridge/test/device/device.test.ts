/**
 * The Device facade over a real app store, scheduler, compositor and Wasm sandbox, with the
 * example apps in a temporary data dir: what it does for the API's commands, and the domain
 * error it throws for each refusal (never an API code: that is the MQTT layer's table).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppManifest } from '@megabit/contract';
import { settingsFrom } from '../../src/config';
import { Device } from '../../src/device/device';
import {
  AppDisabledError,
  AppFailedError,
  InstallFailedError,
  InvalidConfigError,
  PermissionsChangedError,
  PreviewRunningError,
  UnknownAppError,
} from '../../src/errors';
import { EventBus } from '../../src/events';
import { createLogger } from '../../src/util/logger';
import { REPO_ROOT, installExample } from '../helpers/bridge-process';
import { RecordingOutput } from '../helpers/display';

jest.setTimeout(30_000);

const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function example(id: string): { manifest: AppManifest; wasm: Uint8Array } {
  const build = join(REPO_ROOT, 'apps', 'examples', id, 'build');
  const manifest = JSON.parse(readFileSync(join(build, 'manifest.json'), 'utf8')) as AppManifest;
  return { manifest, wasm: new Uint8Array(readFileSync(join(build, manifest.bin))) };
}

let dataDir: string;
let device: Device;
/** What the device hands its display outputs. */
let screen: RecordingOutput;
let stateChanges: number;
const log = createLogger('error');

async function startDevice(): Promise<Device> {
  const settings = settingsFrom({ data_dir: dataDir, log_level: 'error', rotation: { enabled: false } }, 'test', {});
  const bus = new EventBus(log);
  bus.on({}, 'stateChanged', () => void stateChanges++);
  screen = new RecordingOutput();
  const started = new Device({ settings, bus, exampleAppDirs: [], outputs: [screen] }, log);
  await started.start();
  return started;
}

/** Waits until the shown app is `id` (switching closes one sandbox and starts another). */
async function shown(id: string | null): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (device.state().app !== id) {
    if (Date.now() > deadline) throw new Error(`app ${String(id)} not shown within 10 s (shows ${String(device.state().app)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-device-'));
  installExample(dataDir, 'clock');
  installExample(dataDir, 'scroll');
  // An app whose manifest cannot be used: listed as failed.
  mkdirSync(join(dataDir, 'apps', 'broken'), { recursive: true });
  writeFileSync(join(dataDir, 'apps', 'broken', 'manifest.json'), '{}');
  stateChanges = 0;
  device = await startDevice();
});

afterEach(async () => {
  await device.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Device', () => {
  it('lists the installed apps, a broken one as failed', () => {
    expect(device.apps().map((a) => [a.id, a.status])).toEqual([
      ['broken', 'failed'],
      ['clock', 'ok'],
      ['scroll', 'ok'],
    ]);
  });

  it('shows an app; refuses a failed one, a disabled one, and any other while a preview runs', async () => {
    await shown('clock');
    device.showApp('scroll');
    await shown('scroll');

    expect(() => device.showApp('broken')).toThrow(AppFailedError);
    await device.setAppOrder(['clock', 'scroll'], ['scroll']);
    expect(() => device.showApp('scroll')).toThrow(new AppDisabledError('scroll'));
    await device.setAppOrder(['clock', 'scroll'], []);

    const plasma = example('plasma');
    await device.previewApp(plasma.manifest, plasma.wasm);
    await shown('plasma');
    expect(() => device.showApp('clock')).toThrow(PreviewRunningError);
    expect(() => device.showApp('clock')).toThrow('a preview of "plasma" is showing');
    expect(device.apps().map((a) => a.id)).not.toContain('plasma');
    expect(device.endPreview()).toBe(true);
    expect(device.endPreview()).toBe(false);
    await shown('clock');
    device.showApp('scroll');
    await shown('scroll');
  });

  it('refuses a module that does not load, for install and preview alike, and changes nothing', async () => {
    const { manifest } = example('scroll');
    const install = device.installApp({ ...manifest, id: 'empty' }, EMPTY_MODULE);
    await expect(install).rejects.toThrow(InstallFailedError);
    await expect(install).rejects.toThrow(/^app "empty" .* does not run in the sandbox: the module does not load: /);
    await expect(device.previewApp({ ...manifest, id: 'empty' }, EMPTY_MODULE)).rejects.toThrow(/^the module does not load: /);
    expect(device.apps().map((a) => a.id)).toEqual(['broken', 'clock', 'scroll']);
  });

  it('refuses an upgrade that asks for other permissions unless it replaces the app', async () => {
    const { manifest, wasm } = example('clock');
    const wider = { ...manifest, version: '1.1.0', permissions: { network: ['api.example.com'] } };
    await expect(device.installApp(wider, wasm)).rejects.toThrow(PermissionsChangedError);
    expect(device.apps().find((a) => a.id === 'clock')?.version).toBe('1.0.0');
    await device.installApp(wider, wasm, { replace: true });
    expect(device.apps().find((a) => a.id === 'clock')?.version).toBe('1.1.0');
  });

  it('sets app config against the schema, filling in defaults', async () => {
    await expect(device.setAppConfig('clock', { hour24: 'banana' })).rejects.toThrow(new InvalidConfigError('clock', 'config.hour24 must be of type boolean'));
    await expect(device.setAppConfig('ghost', {})).rejects.toThrow(UnknownAppError);
    expect(await device.setAppConfig('clock', { hour24: false })).toEqual({ hour24: false, color: '#ffd8a0' });
  });

  it('refuses unknown apps in the order and in removals', async () => {
    await expect(device.setAppOrder(['clock', 'ghost'])).rejects.toThrow(new UnknownAppError(['ghost'], 'not installed: "ghost"'));
    await expect(device.removeApp('ghost')).rejects.toThrow(UnknownAppError);
    await device.removeApp('scroll');
    expect(device.apps().map((a) => a.id)).toEqual(['broken', 'clock']);
  });

  it('hands data to the running app at once; for another it answers queued (false)', async () => {
    await shown('clock');
    // Running once its first frame is drawn (the clock lights pixels).
    const deadline = Date.now() + 10_000;
    while (!screen.frames.some((frame) => frame.some((b) => b > 0))) {
      if (Date.now() > deadline) throw new Error('the clock drew nothing within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(device.pushAppData('clock', new Uint8Array([1]))).toBe(true);
    expect(device.pushAppData('scroll', new Uint8Array([2]))).toBe(false);
  });

  it('sets power and brightness, reports the change, and keeps it across a restart', async () => {
    const before = stateChanges;
    device.setDisplay({ state: 'OFF', brightness: 12 });
    expect(device.state()).toMatchObject({ state: 'OFF', brightness: 12 });
    expect(stateChanges).toBeGreaterThan(before);
    device.setRotation(true);
    await device.stop();
    device = await startDevice();
    expect(device.state()).toMatchObject({ state: 'OFF', brightness: 12, rotation: true });
  });
});
