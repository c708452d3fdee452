/**
 * Collects what the start left on V8's heap, once, as V8's memory reducer would.
 *
 * Loading the modules and starting the parts leaves dead objects and grown heap pages behind.
 * V8's memory reducer gives them back once a process goes quiet: on Node 20 and 22 it runs about
 * 8 s after the start, and an idle bridge drops from 58 to 53 MB RSS (Node 20) or from 66 to 62 MB
 * (Node 22). On Node 24 it never runs in an idle bridge: `--trace-memory-reducer` prints
 * "high alloc" every 8 s for as long as the bridge runs, although it allocates too little for a
 * single scavenge, and the bridge keeps 71 MB. So the bridge asks for that collection itself,
 * once the start is over: V8's "last resort" collection, full collections that compact the heap
 * and give its free pages back (about 40 ms here, once; 71.4 -> 66.7 MB on Node 24;
 * docs/performance.md, section 4). A plain full collection gives nothing back there.
 *
 * V8 before 12 (Node 20) reads any argument to `gc` as a request for a young-generation
 * collection, and its own memory reducer does this job: the bridge leaves it alone there.
 */
import { keepLiftoffCode } from './util/keep-liftoff-code';
import { exposeGc, gcTakesOptions, pageReturningCollection } from './util/v8-gc';

/**
 * Runs the collection, synchronously, when this V8 takes its options; returns whether it ran.
 * `v8Version` is for the tests.
 */
export function collectStartGarbage(v8Version = process.versions.v8): boolean {
  if (!gcTakesOptions(v8Version)) return false;
  // The collection would otherwise drop every module's Liftoff code under the app workers
  // (util/keep-liftoff-code.ts); startApp has set the flag already where apps run, this is the backstop.
  keepLiftoffCode();
  // The flag back off at once: the code caches V8 makes from now on (Node's compile cache of a
  // module loaded later) are checked against the flags of the next start (Node's defaults and the
  // launcher's one flag).
  pageReturningCollection(exposeGc({ restoreFlag: true }), v8Version)();
  return true;
}
