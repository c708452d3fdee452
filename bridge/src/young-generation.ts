/**
 * Keeps V8's young generation at its starting size (two 1 MB semi-spaces) in the bridge process.
 *
 * V8 grows the semi-spaces while many allocations survive, which they do while the bridge loads
 * its modules and starts its parts, up to 16 MB each on Node 20 and 22 (more on 24), and does not
 * give the pages back once the bridge is idle: that was 14 of the 92 MB an idle bridge took
 * (docs/performance.md, section 4). The bridge's steady work is small frames and short JSON
 * messages, which a 1 MB nursery collects in well under a millisecond.
 *
 * The growth factor is read each time V8 considers growing, so setting it here, before the
 * bridge's modules load, holds for the whole run; `--max-semi-space-size` would only count on
 * the command line, and the bridge is started as `node cli.js`, `megabit` or by systemd.
 * A semi-space size given to Node by the user (command line or NODE_OPTIONS) wins.
 *
 * It acts when loaded: cli.ts imports it first, before any module that allocates much.
 */
import { setFlagsFromString } from 'node:v8';

const USER_FLAGS = /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)\b/;

/** Whether the user sized the young generation themselves (then the bridge leaves it alone). */
function youngGenerationSizedByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return execArgv.some((arg) => USER_FLAGS.test(arg.replaceAll('_', '-'))) || USER_FLAGS.test((nodeOptions ?? '').replaceAll('_', '-'));
}

if (!youngGenerationSizedByUser(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString('--semi-space-growth-factor=1');
