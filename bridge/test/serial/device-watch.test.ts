/**
 * What the serial output waits on between attempts to open the port: a change where the device
 * path would appear, the backoff delay, or stopping.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sightDevice, waitForDevice, watchTarget } from '../../src/serial/device-watch';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'megabit-device-watch-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('watchTarget', () => {
  it('watches the nearest directory that exists, for the name that leads to the device', () => {
    expect(watchTarget(join(dir, 'ttyACM0'))).toEqual({ dir, name: 'ttyACM0' });
    expect(watchTarget(join(dir, 'serial', 'by-id', 'usb-Megabit'))).toEqual({ dir, name: 'serial' });
    expect(watchTarget('/megabit-nowhere/by-id/tty')).toEqual({ dir: '/', name: 'megabit-nowhere' });
  });

  it('watches every change of the USB serial links for auto', () => {
    if (existsSync('/dev/serial/by-id')) {
      expect(watchTarget('auto')).toEqual({ dir: '/dev/serial/by-id' });
    } else {
      const { dir: watched, name } = watchTarget('auto');
      expect(watched).toBe('/dev');
      expect(['serial', 'ttyACM0', 'ttyUSB3'].every((n) => (name as RegExp).test(n))).toBe(true);
      expect(['null', 'tty1', 'ttyS0', 'console'].some((n) => (name as RegExp).test(n))).toBe(false);
    }
  });
});

describe('waitForDevice', () => {
  const path = (): string => join(dir, 'by-id', 'ttyMEGABIT');

  it('wakes when the directory of the path appears, and then when the path does', async () => {
    let wait = waitForDevice(path(), 10_000, sightDevice(path()));
    setTimeout(() => mkdirSync(join(dir, 'by-id')), 50);
    expect(await wait.done).toBe('changed');
    wait = waitForDevice(path(), 10_000, sightDevice(path()));
    setTimeout(() => writeFileSync(path(), ''), 50);
    expect(await wait.done).toBe('changed');
  });

  it('ignores other names in the watched directory', async () => {
    const wait = waitForDevice(path(), 300, sightDevice(path()));
    writeFileSync(join(dir, 'something-else'), '');
    expect(await wait.done).toBe('timeout');
  });

  it('wakes at once when the path changed since the failed attempt began', async () => {
    const before = sightDevice(path());
    mkdirSync(join(dir, 'by-id'));
    writeFileSync(path(), '');
    expect(await waitForDevice(path(), 10_000, before).done).toBe('changed');
  });

  it('ends on stop', async () => {
    const wait = waitForDevice(path(), 10_000, sightDevice(path()));
    wait.stop();
    expect(await wait.done).toBe('stopped');
  });
});
