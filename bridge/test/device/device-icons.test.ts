/**
 * The device hands its icon source to every app it starts: an app (the sandbox tests' probe,
 * installed like any app) reads through mb_icon the icon the device was given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFrom } from '../../src/config';
import { Device } from '../../src/device/device';
import { EventBus } from '../../src/events';
import type { Icon } from '../../src/icons/icon';
import { createLogger } from '../../src/util/logger';
import { RecordingOutput } from '../helpers/display';
import { manifest } from '../helpers/sandbox/harness';
import { buildProbeApp } from '../helpers/sandbox/probe-app';

jest.setTimeout(60_000);

const LAMP: Icon = { name: 'lamp', width: 2, height: 1, frames: [{ rgba: Uint8Array.from([7, 8, 9, 255, 0, 0, 0, 0]), delayMs: 0 }] };

it("gives the apps it starts the icons it was given (mb_icon reads the device's icon source)", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'megabit-device-icons-'));
  const log = createLogger('error');
  const bus = new EventBus(log);
  const logs: string[] = [];
  bus.on({}, 'appLog', (_id, line) => void logs.push(line.message));
  const settings = settingsFrom({ data_dir: dataDir, log_level: 'error', rotation: { enabled: false } }, 'test', {});
  const device = new Device({ settings, bus, exampleAppDirs: [], outputs: [new RecordingOutput()], icons: new Map([['lamp', LAMP]]) }, log);
  try {
    await device.start();
    await device.installApp(manifest(), await buildProbeApp());
    device.showApp('probe');
    device.pushAppData('probe', new TextEncoder().encode('icon|lamp'));
    const deadline = Date.now() + 20_000;
    while (!logs.some((l) => l.startsWith('icon ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(logs.filter((l) => l.startsWith('icon '))).toEqual(['icon 2x1 10 bytes, first 7,8,9,255']);
  } finally {
    await device.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
