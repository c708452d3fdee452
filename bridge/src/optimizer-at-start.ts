/**
 * Keeps V8's optimizing compiler (TurboFan) off for the bridge's JavaScript while it starts.
 *
 * Loading and starting the parts runs much code a few times, enough for V8 to optimize some of it
 * (the module loader's path functions, the font's glyph lookup), and so does the PNG of the first
 * frame, published right after the start (its filter loop). The first optimization pages in
 * TurboFan's own machine code from the Node executable and leaves compiled code and zones behind,
 * which an idle bridge never uses again: 4.5-5 MB of an idle bridge's RSS (docs/performance.md,
 * section 4). Code run once at the start gains little from being optimized; the interpreter and
 * the baseline compiler (Sparkplug) still run it. A few seconds after the start the bridge turns
 * TurboFan back on (`letOptimizerRunSoon`), so code that gets hot under load (commands, frames,
 * the apps' workers) is optimized as before; a function hot only during the start is not called
 * again and stays as it is.
 *
 * V8 reads the flag each time it considers optimizing a function, so setting it from here holds,
 * and turning it back on takes effect at the next such decision. WebAssembly's tiers are separate
 * flags and are not touched. An optimizer setting the user gives Node wins.
 *
 * It acts when loaded: main.ts imports it right after young-generation.ts, before the modules that
 * run at the start.
 */
import { setFlagsFromString } from 'node:v8';
import { OPTIMIZER_DELAY_MS } from './optimizer-delay';
import { v8FlagSetByUser } from './util/user-v8-flags';

/** The flags by which a user sets the optimizer themselves (then the bridge leaves it alone). */
const USER_FLAGS = /--(no-)?(turbofan|opt|max-opt|always-turbofan|always-opt|jitless)\b/;

const heldOff = !v8FlagSetByUser(USER_FLAGS);
if (heldOff) setFlagsFromString('--no-turbofan');

/**
 * After the start: V8 optimizes hot code again, `delayMs` from now (unless the user set the
 * optimizer). Settles once it does: a code cache saved before then would carry this flag, and a
 * later start (flags at their defaults) would reject it (cli-bundle.ts).
 */
export function letOptimizerRunSoon(delayMs = OPTIMIZER_DELAY_MS): Promise<void> {
  if (!heldOff) return Promise.resolve();
  return new Promise((resolve) => {
    setTimeout(() => {
      setFlagsFromString('--turbofan');
      resolve();
    }, delayMs).unref();
  });
}
