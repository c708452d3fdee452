/**
 * Crash-loop protection: an app whose start fails (its setup or its first run fails: a trap, a
 * timeout, running out of memory) START_FAILURES_TO_DISABLE times in a row, one bridge run after
 * the other, is disabled with the reason, across restarts, until it is reinstalled. Within one
 * run a failed app already stays out of the rotation; this keeps restarts from retrying it
 * forever. The bridge going down while an app starts is not counted: a power cut or a kill then
 * looks the same as a crash, and would disable whichever app happened to be starting.
 * Pure functions over the stored state; the app store persists the result.
 */
import type { RotationState } from './rotation-state';

export const START_FAILURES_TO_DISABLE = 3;

/** The state after one more failed start of `id`. */
export function withStartFailure(state: RotationState, id: string, reason: string): RotationState {
  const count = (state.startFailures?.[id]?.count ?? 0) + 1;
  return { ...state, startFailures: { ...state.startFailures, [id]: { count, reason } } };
}

/** The state with `id`'s failures forgotten (it started well, or it was reinstalled or removed). */
export function withoutStartFailures(state: RotationState, id: string): RotationState {
  const { [id]: _gone, ...rest } = state.startFailures ?? {};
  return { ...state, startFailures: rest };
}

/** Why `id` is disabled for failing to start, or undefined when it may run. */
export function startFailureReason(state: RotationState, id: string): string | undefined {
  const failure = state.startFailures?.[id];
  if (!failure || failure.count < START_FAILURES_TO_DISABLE) return undefined;
  return `disabled after ${failure.count} failed starts in a row (reinstall it to try again); the last: ${failure.reason}`;
}
