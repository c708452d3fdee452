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

/** Most collections a full collection may take (fullCollector). */
const MAX_COLLECTIONS = 10;
/** A collection that frees less than this ends it. */
const SETTLED_BYTES = 512 * 1024;

/**
 * Collects until the heap stops shrinking: a collection runs the weak callbacks of what it found
 * dead (a vm context of an earlier test file, Node's native wrappers), and what those let go is
 * freed only by the next one.
 */
export function fullCollector(): () => void {
  const gc = garbageCollector();
  return () => {
    let last = Number.POSITIVE_INFINITY;
    for (let i = 0; i < MAX_COLLECTIONS; i++) {
      gc();
      const used = process.memoryUsage().heapUsed;
      if (last - used < SETTLED_BYTES) return;
      last = used;
    }
  };
}
