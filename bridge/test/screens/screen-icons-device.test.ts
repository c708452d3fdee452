/**
 * Icons in screens and rich notifications, through the real Device with an IconSource written
 * here: the icon a screen or a notification names is drawn, one the source does not have is
 * left out without an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFrom } from '../../src/config';
import { Device } from '../../src/device/device';
import { EventBus } from '../../src/events';
import type { Icon, IconSource } from '../../src/icons/icon';
import { createLogger } from '../../src/util/logger';
import { RecordingOutput } from '../helpers/display';

jest.setTimeout(30_000);

/** A solid 6x6 red square named `dot`. */
const DOT: Icon = {
  name: 'dot',
  width: 6,
  height: 6,
  frames: [{ rgba: new Uint8Array(6 * 6 * 4).fill(255).map((v, i) => (i % 4 === 1 || i % 4 === 2 ? 0 : v)), delayMs: 0 }],
};
const icons: IconSource = { get: (name) => (name === 'dot' ? DOT : undefined) };

const log = createLogger('error');
let dataDir: string;
let device: Device;
let output: RecordingOutput;

const redPixels = (): number => {
  const f = output.frames.at(-1);
  let n = 0;
  for (let i = 0; f && i < f.length; i += 3) if (f[i] === 255 && f[i + 1] === 0 && f[i + 2] === 0) n++;
  return n;
};
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'megabit-screen-icons-'));
  output = new RecordingOutput();
  const settings = settingsFrom({ data_dir: dataDir, log_level: 'error', rotation: { enabled: false } }, 'test', {});
  device = new Device({ settings, bus: new EventBus(log), exampleAppDirs: [], outputs: [output], icons }, log);
  await device.start();
});

afterEach(async () => {
  await device.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('icons', () => {
  it('draws the icon a screen names, and leaves out one it does not know', async () => {
    expect(await device.publishScreen('dot', { icon: 'dot', text: 'hi' })).toEqual({ id: 'dot' });
    await until(() => device.state().app === 'dot' && redPixels() === 36, 'the 6x6 icon drawn');
    expect(await device.publishScreen('dot', { icon: 'nothing', text: 'hi' })).toEqual({
      id: 'dot',
      warnings: [{ field: 'icon', warning: 'no icon named "nothing"' }],
    });
    await until(() => redPixels() === 0, 'the screen without the unknown icon');
    // Still stored: an icon uploaded later shows without a new publish.
    expect(device.state().app).toBe('dot');
    expect(await device.publishScreen('dot2', { icon: { name: 'later', position: 'right' } })).toEqual({
      id: 'dot2',
      warnings: [{ field: 'icon.name', warning: 'no icon named "later"' }],
    });
  });

  it('draws the icon of a rich notification over the whole panel, and the plain banner for plain text', async () => {
    const { id } = device.notify({ text: 'Door', content: { icon: 'dot', text: 'Door' }, hold: true });
    await until(() => device.state().notification === id && redPixels() === 36, 'the notification with its icon');
    expect(device.dismissNotification(id)).toBe(true);
    const { id: plain } = device.notify({ text: 'Door', color: '#ff0000', hold: true });
    // The banner's text in red, no icon square: lit red pixels, but in letter shapes on the band.
    await until(() => device.state().notification === plain && redPixels() > 0 && redPixels() !== 36, 'the plain banner');
  });
});
