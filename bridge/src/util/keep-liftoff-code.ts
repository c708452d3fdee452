/**
 * Turns off V8's flushing of WebAssembly's baseline (Liftoff) code, process-wide, where V8 has it.
 *
 * V8 13 (Node 24) drops the Liftoff code of every Wasm module in the process, whichever thread
 * runs it, as the last step of a "last resort" collection: the one start-garbage.ts asks for on
 * the main thread, the one each app worker runs after its app closed (sandbox/app-worker.ts), and
 * the one V8 runs by itself before it gives up on a heap at its limit. Done while another thread
 * instantiates a module, as an app worker does at every app start, that ends the whole process:
 * a failed V8 check in its registry of code pages ("jit_page_->allocations_.erase(addr) == 1",
 * "jit_page.has_value()") or glibc's "corrupted size vs. prev_size". Measured in section 10 of
 * docs/performance.md ("Wasm code flushed under running apps"): apps started and closed in three
 * threads while the main thread ran that collection every 100 ms crashed Node 24 in 3 of 19 runs
 * of 20 s, and in none of 26 with this flag. The crash is a race inside V8 (it frees an import
 * wrapper, which the flush leaves alone); the flag takes away what sets it off. Node 20 and 22
 * (V8 11 and 12) have neither the flush nor the flag; there, setting it would print an error.
 *
 * What the flag costs: the flush would drop the baseline code of every function not yet optimized,
 * to be compiled again at its next call, at each of those collections. That code is outside
 * the JavaScript heap, so flushing it cannot save a heap at its limit; the bridge never signals
 * memory pressure to V8 itself.
 *
 * V8's code caches are checked against the flags of the process that reads them, so the launcher
 * (cli-bundle.ts) sets this before it loads the bridge's code; the sandbox and start-garbage.ts
 * set it again for code that uses them without the launcher (the public API, the tests).
 */
import { setFlagsFromString } from 'node:v8';

/** The first V8 with `--flush-liftoff-code` (Node 24's 13.6 has it; Node 22's 12.4 does not). */
const FIRST_V8_WITH_THE_FLUSH = 13;

/**
 * Set once per copy of this module (the launcher's and the bundle's): after the first app starts,
 * app workers set V8 flags of their own as they load (util/v8-gc.ts), and this never writes again.
 */
let kept = false;

/** Sets `--no-flush-liftoff-code` once, where this V8 has it; returns whether the flag is set. `v8Version` is for the tests. */
export function keepLiftoffCode(v8Version = process.versions.v8): boolean {
  if (Number(v8Version.split('.')[0]) < FIRST_V8_WITH_THE_FLUSH) return false;
  if (!kept) setFlagsFromString('--no-flush-liftoff-code');
  kept = true;
  return true;
}
