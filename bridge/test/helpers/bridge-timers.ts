/**
 * Timers the bridge's own code made and that are still pending, counted by an async hook.
 *
 * Why not `process.getActiveResourcesInfo()`, as the soak reads in the bridge process: in a jest
 * worker the process's timers also hold jest's own (the test's timeout, the reporter's status
 * tick), which come and go on their own, so a count read at rest differed by one now and then
 * with nothing leaked. A timer counted here was set by code under `bridge/src/` (a frame of its
 * creation's stack there), unref'd ones included, and stops counting when it fires (a one-shot)
 * or is cleared.
 */
import { createHook } from 'node:async_hooks';
import { sep } from 'node:path';

const BRIDGE_SOURCES = `${sep}bridge${sep}src${sep}`;

export interface BridgeTimers {
  /** How many timers set by the bridge's code are pending now (after two turns: Node reports a timer's end late). */
  pending(): Promise<number>;
  stop(): void;
}

export function trackBridgeTimers(): BridgeTimers {
  const pending = new Set<number>();
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout' && madeByBridge()) pending.add(asyncId);
    },
    destroy(asyncId) {
      pending.delete(asyncId);
    },
  });
  hook.enable();
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    async pending() {
      await turn();
      await turn();
      return pending.size;
    },
    stop: () => void hook.disable(),
  };
}

/** Whether the current stack runs bridge code: file names from the raw call sites (no source maps: this runs for every timer). */
function madeByBridge(): boolean {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_error, sites) => sites.map((site) => site.getFileName() ?? '');
  Error.stackTraceLimit = 12;
  try {
    const files = new Error().stack as unknown as string[];
    return files.some((file) => file.includes(BRIDGE_SOURCES));
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}
