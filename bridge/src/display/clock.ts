/**
 * Time and timers as the display pipeline sees them, so tests can drive it with fake timers or a
 * hand-made clock. `now()` is monotonic milliseconds.
 */
export type ClockTimer = unknown;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
  /**
   * Calls `callback` once the current macrotask turn (and what it queued as microtasks) is done,
   * before any timer: Node's setImmediate. Not cancellable: the callback checks its own state.
   */
  atTurnEnd(callback: () => void): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
  atTurnEnd: (callback) => void setImmediate(callback),
};

/** The same with `now()` in epoch milliseconds: night mode and auto-brightness live by the calendar. */
export const systemWallClock: Clock = { ...systemClock, now: () => Date.now() };
