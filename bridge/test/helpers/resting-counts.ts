/**
 * The counts the soak compares between cycles (diagnostics/resource-counts.ts), read in a test
 * process: active handles by type, open descriptors and the timers the bridge's own code set
 * (helpers/bridge-timers.ts: jest's timers come and go on their own), once they hold still.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import type { BridgeTimers } from './bridge-timers';
import { delay } from './ports';

export interface RestingCounts {
  /** Active handles by type (MessagePort, TCPSocketWrap, PipeWrap, ...), timers left out. */
  handles: Record<string, number>;
  /** Pending timers set by code under bridge/src. */
  timers: number;
  /**
   * Entries of /proc/self/fd that are sockets or files. Pipes and anonymous inodes are left out:
   * every thread's event loop holds an epoll, an eventfd and a pipe pair, and a jest worker runs
   * many test files one after another, whose threads end on their own timers (an idle sandbox
   * thread after 60 s) while a later file counts: 4 descriptors fewer, from nothing this file did.
   * The bridge's own pipes are among `handles` (PipeWrap), its threads are counted where they matter.
   */
  fds: number;
}

/** Sockets and files among the process's descriptors (see RestingCounts.fds). */
function socketAndFileDescriptors(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed since the listing (the listing's own descriptor among them)
    }
    if (target.startsWith('socket:') || target.startsWith('/')) n++;
  }
  return n;
}

async function readCounts(timers: BridgeTimers): Promise<RestingCounts> {
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) {
    if (type !== 'Timeout' && type !== 'Immediate') handles[type] = (handles[type] ?? 0) + 1;
  }
  return { handles, timers: await timers.pending(), fds: socketAndFileDescriptors() };
}

/**
 * The counts once two reads 100 ms apart agree: a socket or port being closed stays among the
 * handles until Node has finished closing it, a turn or two later (the soak settles its counts
 * the same way). Fails after 5 s of change.
 */
export async function restingCounts(timers: BridgeTimers): Promise<RestingCounts> {
  let last = await readCounts(timers);
  for (let i = 0; i < 50; i++) {
    await delay(100);
    const now = await readCounts(timers);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error(`the counts did not settle within 5 s: ${JSON.stringify(last)}`);
}
