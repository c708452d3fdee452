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
import { Screens, type ScreensOptions } from '../../src/screens/screens';
import { NO_TEMPLATES, type TemplateResult, type TemplateSource } from '../../src/templates/template-source';
import { blankFrame } from '../../src/display/frame';
import { createLogger } from '../../src/util/logger';
import { RecordingOutput } from '../helpers/display';

jest.setTimeout(30_000);

const log = createLogger('error');
const NO_ICONS = { get: () => undefined };
let dataDir: string;

/** Screens kept in `dir`, as the device keeps them, with defaults a test overrides where it matters. */
function screensIn(dir: string, overrides: Partial<ScreensOptions> = {}): Screens {
  return new Screens({
    file: join(dir, 'screens.json'),
    expiredFile: join(dir, 'screens-expired.json'),
    icons: NO_ICONS,
    templates: NO_TEMPLATES,
    defaultDurationMs: 1000,
    maxFps: 30,
    log,
    onChange: () => undefined,
    ...overrides,
  });
}

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
    const screens = screensIn(dataDir, { defaultDurationMs: 5000 });
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

  it('recomputes the `repeat` dwell when a template changes the text', async () => {
    const watchers = new Map<string, (r: TemplateResult) => void>();
    const source: TemplateSource = {
      isTemplate: (t) => t.startsWith('{{'),
      watch: (t, on) => {
        watchers.set(t, on);
        return () => watchers.delete(t);
      },
    };
    const screens = screensIn(dataDir, { templates: source });
    await screens.publish('live', { text: { value: '{{long}}', repeat: 2 }, duration_s: 1 });
    // No result yet: nothing scrolls, the dwell is duration_s.
    expect(screens.manifestOf('live')?.duration_ms).toBe(1000);
    const long = 'a text far too long to fit on sixty-four columns at once';
    watchers.get('{{long}}')!({ ok: true, text: long });
    const pass = renderScreen(blankFrame(), { text: long }, { atMs: 0, icons: NO_ICONS }).scrollPassMs;
    expect(screens.manifestOf('live')?.duration_ms).toBe(Math.ceil(2 * pass));
    watchers.get('{{long}}')!({ ok: true, text: 'hi' });
    expect(screens.manifestOf('live')?.duration_ms).toBe(1000);
    screens.stop();
  });

  it('renders a fast-moving screen no more often than display.max_fps', async () => {
    const screens = screensIn(dataDir, { maxFps: 25 });
    // 500 pixels a second asks for a frame every 2 ms.
    await screens.publish('fast', { text: { value: 'a text far too long to fit on sixty-four columns at once', speed: 500 } });
    await screens.startInstance('fast').run();
    expect(screens.manifestOf('fast')?.refresh_period_ms).toBe(40);
    // A slow one keeps its own pace.
    await screens.publish('slow', { text: { value: 'a text far too long to fit on sixty-four columns at once', speed: 10 } });
    await screens.startInstance('slow').run();
    expect(screens.manifestOf('slow')?.refresh_period_ms).toBe(100);
    screens.stop();
  });

  describe('retained re-deliveries are no updates', () => {
    afterEach(() => jest.useRealTimers());

    it('an unchanged retained copy neither extends the lifetime nor brings back a screen its lifetime removed', async () => {
      jest.useFakeTimers();
      const changes: string[] = [];
      const screens = screensIn(dataDir, { onChange: (c) => changes.push(`${c.type} ${c.id}`) });
      const screen = { text: 'door open', lifetime_s: 2 };
      expect((await screens.publish('door', screen)).put).toBe('added');
      jest.advanceTimersByTime(1500);
      // The broker re-sends the retained command on a reconnect: the lifetime keeps running.
      expect((await screens.publish('door', screen, { retained: true })).put).toBe('unchanged');
      jest.advanceTimersByTime(600);
      expect(screens.has('door')).toBe(false);
      expect(changes).toEqual(['added door', 'removed door']);
      // The next reconnect re-sends it again: it stays removed.
      expect((await screens.publish('door', screen, { retained: true })).put).toBe('expired');
      expect(screens.has('door')).toBe(false);
      // A retained copy that differs is news, and so is a new publish of the same screen.
      expect((await screens.publish('door', { ...screen, text: 'door closed' }, { retained: true })).put).toBe('added');
      expect(screens.remove('door')).toBe(true);
      expect((await screens.publish('door', screen)).put).toBe('added');
      // A publish that is not retained does extend the lifetime.
      jest.advanceTimersByTime(1500);
      expect((await screens.publish('door', screen)).put).toBe('unchanged');
      jest.advanceTimersByTime(600);
      expect(screens.has('door')).toBe(true);
      screens.stop();
    });

    it('a screen its lifetime removed stays removed when the broker re-sends it after a bridge restart', async () => {
      jest.useFakeTimers();
      const screen = { text: 'parcel at the door', lifetime_s: 2 };
      const before = screensIn(dataDir);
      before.load();
      expect((await before.publish('parcel', screen)).put).toBe('added');
      jest.advanceTimersByTime(2100);
      expect(before.has('parcel')).toBe(false);
      before.stop();
      // The bridge restarts; its broker re-sends the retained command on connect.
      const after = screensIn(dataDir);
      after.load();
      expect((await after.publish('parcel', screen, { retained: true })).put).toBe('expired');
      expect(after.has('parcel')).toBe(false);
      // A new publish brings it back, and that ends the memory of its expiry for the next restart.
      expect((await after.publish('parcel', screen)).put).toBe('added');
      after.stop();
      const again = screensIn(dataDir);
      again.load();
      expect(again.has('parcel')).toBe(true);
      expect((await again.publish('parcel', screen, { retained: true })).put).toBe('unchanged');
      again.stop();
    });
  });
});
