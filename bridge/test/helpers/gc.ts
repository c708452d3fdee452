/**
 * A full garbage collection on demand in a test, for heap figures that garbage of earlier tests
 * must not move. The `gc` function comes from a fresh context while `--expose-gc` is set, and the
 * flag is put back at once: jest runs many files in one process, each in a new context, and a
 * flag left set would give every later file a global `gc` (resource-counts.test.ts checks how
 * the counts behave without one). Flags are process-wide: call it while no app worker is starting,
 * since app-worker.ts sets the same flag in its thread to take its own `gc`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
