/**
 * Crash-loop protection: an app that fails to start (its setup or its first run fails, or the
 * bridge goes down while starting it) START_FAILURES_TO_DISABLE times in a row is disabled with
 * the reason, across restarts, until it is reinstalled. Before, an app that brought the bridge
 * down on its first run did so again after every restart. Pure functions over the stored state;
 * the app store persists the result.
 */
import type { RotationState } from './rotation-state';

export const START_FAILURES_TO_DISABLE = 3;

/** Why the bridge's previous run counts as a failed start of the app it was starting. */
export const DIED_WHILE_STARTING = 'the bridge stopped while starting it (a crash, or the power went)';

/** The state after one more failed start of `id`. */
export function withStartFailure(state: RotationState, id: string, reason: string): RotationState {
  const count = (state.startFailures?.[id]?.count ?? 0) + 1;
  return { ...state, starting: undefined, startFailures: { ...state.startFailures, [id]: { count, reason } } };
}

/** The state with `id`'s failures forgotten (it started well, or it was reinstalled or removed). */
export function withoutStartFailures(state: RotationState, id: string): RotationState {
  const { [id]: _gone, ...rest } = state.startFailures ?? {};
  return { ...state, starting: state.starting === id ? undefined : state.starting, startFailures: rest };
}

/** Why `id` is disabled for failing to start, or undefined when it may run. */
export function startFailureReason(state: RotationState, id: string): string | undefined {
  const failure = state.startFailures?.[id];
  if (!failure || failure.count < START_FAILURES_TO_DISABLE) return undefined;
  return `disabled after ${failure.count} failed starts in a row (reinstall it to try again); the last: ${failure.reason}`;
}
