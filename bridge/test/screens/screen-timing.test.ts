/**
 * A screen's timing in the rotation: `duration_s` is its dwell (the rotation moves on after it,
 * not after the default), and `repeat` stretches the dwell to whole passes of scrolling text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFrom } from '../../src/config';
import { Device } from '../../src/device/device';
import { EventBus } from '../../src/events';
import { renderScreen } from '../../src/screens/render';
import { Screens } from '../../src/screens/screens';
import { NO_TEMPLATES } from '../../src/templates/template-source';
import { blankFrame } from '../../src/display/frame';
import { createLogger } from '../../src/util/logger';
import { RecordingOutput } from '../helpers/display';

jest.setTimeout(30_000);

const log = createLogger('error');
const NO_ICONS = { get: () => undefined };
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-screen-timing-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('screen timing', () => {
  it('moves the rotation on after duration_s, where the default dwell would be a minute', async () => {
    const settings = settingsFrom({ data_dir: dataDir, log_level: 'error', rotation: { enabled: true, default_duration_ms: 60_000 } }, 'test', {});
    const device = new Device({ settings, bus: new EventBus(log), exampleAppDirs: [], outputs: [new RecordingOutput()] }, log);
    await device.start();
    try {
      await device.publishScreen('short', { text: 'short', duration_s: 1 });
      await device.publishScreen('long', { text: 'long' });
      await until(() => device.state().app === 'short', 'the first screen shown');
      await until(() => device.state().app === 'long', 'the rotation to move on after 1 s');
    } finally {
      await device.stop();
    }
  });

  it('stretches the dwell of scrolling text to `repeat` passes, and leaves text that fits alone', async () => {
    const screens = new Screens({
      file: join(dataDir, 'screens.json'),
      icons: NO_ICONS,
      templates: NO_TEMPLATES,
      defaultDurationMs: 5000,
      log,
      onChange: () => undefined,
    });
    const long = { value: 'a text far too long to fit on sixty-four columns at once', repeat: 3 };
    await screens.publish('long', { text: long, duration_s: 1 });
    const pass = renderScreen(blankFrame(), { text: long }, { atMs: 0, icons: NO_ICONS }).scrollPassMs;
    expect(pass).toBeGreaterThan(1000);
    expect(screens.manifestOf('long')?.duration_ms).toBe(Math.ceil(3 * pass));
    await screens.publish('fits', { text: { value: 'hi', repeat: 3 }, duration_s: 2 });
    expect(screens.manifestOf('fits')?.duration_ms).toBe(2000);
    await screens.publish('default', { text: 'hi' });
    expect(screens.manifestOf('default')?.duration_ms).toBe(5000);
    screens.stop();
  });
});
