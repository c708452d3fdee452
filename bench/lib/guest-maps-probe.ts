/**
 * Preloaded (`node --require`) into a Node that qemu-user runs, for guest-memory.ts: on SIGUSR2
 * it writes the guest's own /proc/self/maps (which qemu emulates: guest mappings only, at guest
 * addresses) and its executable's path to <tmpdir>/megabit-guest-maps-<pid>.json, via a rename so
 * the reader never sees half a file. Nothing else: a listener that keeps no loop alive and a few
 * kilobytes, so the process measured is the bridge. Worker threads load preloads too; signals are
 * the main thread's.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

export const guestMapsFile = (pid: number): string => join(tmpdir(), `megabit-guest-maps-${pid}.json`);

if (isMainThread) {
  process.on('SIGUSR2', () => {
    const out = guestMapsFile(process.pid);
    writeFileSync(`${out}.tmp`, JSON.stringify({ execPath: process.execPath, maps: readFileSync('/proc/self/maps', 'utf8') }));
    renameSync(`${out}.tmp`, out);
  });
}
