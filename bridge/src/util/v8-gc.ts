/**
 * V8's own `gc` for the calling thread, as `node --expose-gc` would give it: the bridge is started
 * as `node cli.js`, `megabit` or by systemd, and a Worker's execArgv takes no V8 flags. V8 adds
 * `gc` to the contexts made while `--expose-gc` is set, so this sets the flag and takes `gc` from a
 * new context. V8's flags belong to the process, shared by its threads: another thread may turn
 * the flag off between this thread's set and read (start-garbage.ts does, once), so the set is
 * tried again until the read finds `gc`. With `restoreFlag`, a flag this call turned on is turned
 * off again; a `gc` there already (the user's `--expose-gc`, or a thread that left the flag on)
 * is taken as it is, the flag untouched.
 *
 * `pageReturningCollection` picks, for this V8, the collection that also gives the heap's free
 * pages back (start-garbage.ts, once; the app worker, after each app).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

/** Tries before giving up: another thread clears the flag for microseconds, and rarely. */
const MAX_TRIES = 100;

const gcInNewContext = (): GcFunction | undefined => runInNewContext('typeof gc === "function" ? gc : undefined') as GcFunction | undefined;

/** The first V8 whose `gc` takes options (Node 22's 12.4 does; Node 20's 11.3 reads any argument as "young generation"). */
const FIRST_V8_WITH_GC_OPTIONS = 12;

/** Whether this V8's `gc` takes options. `v8Version` is for the tests. */
export function gcTakesOptions(v8Version = process.versions.v8): boolean {
  return Number(v8Version.split('.')[0]) >= FIRST_V8_WITH_GC_OPTIONS;
}

/**
 * A full collection that gives the heap's free pages back where this V8 can, as `() => void`.
 *
 * On V8 12 and later (Node 22, 24) that is V8's "last resort" collection: full collections that
 * compact the heap. A plain `gc()` keeps the pages (Node 24) or gives back less (Node 22):
 * docs/performance.md, section 4, "Twelfth round", and section 10, "Wasm code flushed under running
 * apps". On V8 13 it would also drop the Liftoff code of every Wasm module in the process, which
 * crashes a process whose other threads instantiate modules; util/keep-liftoff-code.ts turns that
 * part off before any worker is handed an app. On V8 11 (Node 20) `gc` takes no options, and this is
 * a plain full collection. `v8Version` is for the tests.
 */
export function pageReturningCollection(gc: GcFunction, v8Version = process.versions.v8): () => void {
  return gcTakesOptions(v8Version) ? () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }) : () => gc();
}

export function exposeGc({ restoreFlag }: { restoreFlag: boolean }): GcFunction {
  const present = gcInNewContext();
  if (present) return present;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    setFlagsFromString('--expose-gc');
    const gc = gcInNewContext();
    if (gc) {
      if (restoreFlag) setFlagsFromString('--no-expose-gc');
      return gc;
    }
  }
  throw new Error('V8 did not give its gc function: --expose-gc did not hold');
}
