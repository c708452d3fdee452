/**
 * Keeps V8's young generation at its starting size (two 1 MB semi-spaces) while the bridge
 * starts.
 *
 * V8 grows the semi-spaces while many allocations survive, which they do while the bridge loads
 * its modules and starts its parts, up to 16 MB each on Node 20 and 22 (more on 24), and an idle
 * bridge never gives those pages back: that was 14 of the 92 MB an idle bridge took
 * (docs/performance.md, section 4). Once started, the bridge lets V8 grow it again
 * (`letYoungGenerationGrow`): under a steady load (50 commands a second) a nursery kept at 1 MB
 * meant more collections and a higher p99 latency, and an idle bridge does not grow it.
 *
 * The growth factor is read each time V8 considers growing, so setting it here, before the
 * bridge's modules load, holds; `--max-semi-space-size` would only count on the command line,
 * and the bridge is started as `node cli.js`, `megabit` or by systemd.
 * A semi-space size given to Node by the user (command line or NODE_OPTIONS) wins.
 *
 * It acts when loaded: main.ts imports it first, before any module that allocates much.
 */
import { setFlagsFromString } from 'node:v8';
import { v8FlagSetByUser } from './util/user-v8-flags';

/** The flags by which a user sizes the young generation themselves (then the bridge leaves it alone). */
const USER_FLAGS = /--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)\b/;

/** V8's own growth factor (`node --v8-options`: the same on Node 20, 22 and 24). */
const V8_DEFAULT_GROWTH_FACTOR = 2;
const heldSmall = !v8FlagSetByUser(USER_FLAGS);
if (heldSmall) setFlagsFromString('--semi-space-growth-factor=1');

/** After the start: V8 sizes the young generation by its own rule again (unless the user sized it). */
export function letYoungGenerationGrow(): void {
  if (heldSmall) setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
}
