/**
 * How long after the start V8's optimizing compiler stays off (optimizer-at-start.ts), and so when
 * the launcher's code cache is written at the earliest (cli-bundle.ts): the bench waits this long
 * in its warm-up start. A module of its own, with no effect when loaded, so the public API can
 * export it without turning the optimizer off in the process that imports it.
 *
 * The start's last one-off work, the first frame's PNG, is encoded as soon as the connection is
 * up, within milliseconds of the start here; the rest is margin for a slow machine. Commands in
 * this window run in the baseline compiler's (Sparkplug's) code.
 */
export const OPTIMIZER_DELAY_MS = 3000;
