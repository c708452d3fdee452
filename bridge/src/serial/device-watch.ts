/**
 * Waits, between two attempts to open the display port, for a sign that the device may be back,
 * so a replugged or restarted device is opened at once instead of at the next backoff tick,
 * without polling. For a fixed path that is a change of its name in the nearest directory
 * that exists (a device path's directory, e.g. /dev/serial/by-id, may itself come and go); for
 * `auto`, any change in /dev/serial/by-id (or /dev without udev's links), after which the
 * ports are listed again. inotify can miss what it cannot see (a path on a network file
 * system, a directory replaced while watched), so the backoff delay is always the limit.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import { AUTO_PATH } from './port-opener';

const BY_ID = '/dev/serial/by-id';

export type WakeReason = 'changed' | 'timeout' | 'stopped';

interface WatchTarget {
  dir: string;
  /** Only events for this name (or names matching it) in `dir` count; undefined: every event does. */
  name?: string | RegExp;
}

/**
 * Without udev's by-id links, what in /dev can be a USB serial device: its by-id folder appearing,
 * or the ACM/USB tty itself. Everything else in /dev (ttys being written to, other devices)
 * must not wake the port listing, which runs udevadm.
 */
const SERIAL_DEVICE_NODE = /^(serial|ttyACM\d+|ttyUSB\d+)$/;

/** The directory to watch for `configured`, and which of its entries matters. */
export function watchTarget(configured: string): WatchTarget {
  if (configured === AUTO_PATH) return existsSync(BY_ID) ? { dir: BY_ID } : { dir: '/dev', name: SERIAL_DEVICE_NODE };
  let child = configured.endsWith(sep) ? configured.slice(0, -1) : configured;
  let dir = dirname(child);
  while (!existsSync(dir) && dir !== dirname(dir)) {
    child = dir;
    dir = dirname(dir);
  }
  return { dir, name: basename(child) };
}

/** What can be seen of the device: which directory to watch, and whether a fixed path exists. */
export interface DeviceSighting {
  target: WatchTarget;
  present: boolean;
}

/** Taken before an attempt to open, so a change during the attempt is not missed. */
export function sightDevice(configured: string): DeviceSighting {
  return { target: watchTarget(configured), present: configured !== AUTO_PATH && existsSync(configured) };
}

function sameSighting(a: DeviceSighting, b: DeviceSighting): boolean {
  return a.present === b.present && a.target.dir === b.target.dir;
}

/**
 * Resolves 'changed' when the device may have appeared (or changed) since `before`, 'timeout'
 * after `maxMs`, 'stopped' when `stop` is called.
 */
export function waitForDevice(configured: string, maxMs: number, before: DeviceSighting): { done: Promise<WakeReason>; stop: () => void } {
  let finish: (reason: WakeReason) => void = () => undefined;
  const done = new Promise<WakeReason>((resolve) => {
    let watcher: FSWatcher | undefined;
    const timer = setTimeout(() => finish('timeout'), maxMs);
    finish = (reason) => {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
      finish = () => undefined;
      resolve(reason);
    };
    const now = sightDevice(configured);
    try {
      const { dir, name: wanted } = now.target;
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (wanted === undefined || name === null || (typeof wanted === 'string' ? name.toString() === wanted : wanted.test(name.toString())))
          finish('changed');
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      // Not watchable (permissions, an exotic file system): the backoff timer alone decides.
    }
    if (!sameSighting(before, now)) finish('changed');
  });
  return { done, stop: () => finish('stopped') };
}
