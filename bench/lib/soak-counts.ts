/**
 * Reading a bridge's resource counts at a quiet moment, and which of them are exact. Shared by
 * the leak test and the soak run, so both compare the same thing.
 */
import type { ResourceCounts } from 'megabit-bridge';

/** Counts that are exact at any quiet moment. */
export const STEADY_COUNTS = ['busListeners', 'mqttClientListeners', 'mqttHandlers', 'handles', 'fds', 'workers'] as const;
/** Everything compared exactly between cycles: the steady counts and the timers' floor. */
export const EXACT_COUNTS = [...STEADY_COUNTS, 'timers'] as const;
export type ExactCount = (typeof EXACT_COUNTS)[number];

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const steady = (c: ResourceCounts): string => JSON.stringify(STEADY_COUNTS.map((k) => c[k]));

/**
 * The counts once the bridge is quiet: the steady ones the same on two reads 500 ms apart
 * (replies, reconnects and notification expiries leave sockets and requests behind for a
 * moment), `timers` their floor over 3 s, the memory figures after a forced collection.
 */
export async function settledCounts(read: (gc: boolean) => Promise<ResourceCounts>): Promise<ResourceCounts> {
  let last = await read(false);
  for (let i = 0; i < 40; i++) {
    await delay(500);
    const now = await read(false);
    if (steady(now) === steady(last)) {
      const timers = await timerFloor(read);
      return { ...(await read(true)), ...Object.fromEntries(STEADY_COUNTS.map((k) => [k, now[k]])), timers };
    }
    last = now;
  }
  throw new Error(`the bridge's counts did not settle within 20 s: ${JSON.stringify(last)}`);
}

/**
 * The fewest timers pending over 3 s of reads. A periodic job that re-arms its timeout after
 * async work (a frame, a PNG, a status poll) has none for a moment, so one read can be one or
 * two short of the level; a leaked interval, or a timeout re-armed per notification, raises the
 * floor for good.
 */
async function timerFloor(read: (gc: boolean) => Promise<ResourceCounts>): Promise<number> {
  let floor = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 12; i++) {
    floor = Math.min(floor, (await read(false)).timers);
    await delay(250);
  }
  return floor;
}
