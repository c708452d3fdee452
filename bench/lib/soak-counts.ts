/**
 * Reading a bridge's resource counts at a quiet moment, and which of them are exact. Shared by
 * the leak test and the soak run, so both compare the same thing.
 */
import type { ResourceCounts } from 'megabit-bridge';

/** Counts that are exact at any quiet moment. */
export const STEADY_COUNTS = ['busListeners', 'mqttClientListeners', 'mqttHandlers', 'handles', 'fds', 'workers'] as const;
/** Everything compared exactly between cycles: the steady counts and the timers' usual count. */
export const EXACT_COUNTS = [...STEADY_COUNTS, 'timers'] as const;
export type ExactCount = (typeof EXACT_COUNTS)[number];

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const steady = (c: ResourceCounts): string => JSON.stringify(STEADY_COUNTS.map((k) => c[k]));

/**
 * The counts once the bridge is quiet: the steady ones the same on two reads 500 ms apart
 * (replies, reconnects and notification expiries leave sockets and requests behind for a
 * moment), `timers` the usual count over 3 s, the memory figures after a forced collection.
 */
export async function settledCounts(read: (gc: boolean) => Promise<ResourceCounts>): Promise<ResourceCounts> {
  let last = await read(false);
  for (let i = 0; i < 40; i++) {
    await delay(500);
    const now = await read(false);
    if (steady(now) === steady(last)) {
      const timers = await usualTimers(read);
      return { ...(await read(true)), ...Object.fromEntries(STEADY_COUNTS.map((k) => [k, now[k]])), timers };
    }
    last = now;
  }
  throw new Error(`the bridge's counts did not settle within 20 s: ${JSON.stringify(last)}`);
}

/**
 * The timers pending most of the time over 3 s of reads (the most frequent count; of two, the
 * lower). A periodic job that re-arms its timeout after async work (a frame, a PNG, a status
 * poll) has none for a moment, and a throttle has one for a moment, so a single read, and the
 * fewest or the most over a window, each catch one of those now and then; the usual count does
 * not. A leaked interval, or a timeout re-armed per notification, raises it for good.
 */
async function usualTimers(read: (gc: boolean) => Promise<ResourceCounts>): Promise<number> {
  const seen = new Map<number, number>();
  for (let i = 0; i < 20; i++) {
    const timers = (await read(false)).timers;
    seen.set(timers, (seen.get(timers) ?? 0) + 1);
    await delay(150);
  }
  return [...seen].sort(([a, na], [b, nb]) => nb - na || a - b)[0][0];
}
