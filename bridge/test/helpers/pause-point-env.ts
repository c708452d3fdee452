/** The environment that makes a child process stop before a chosen step of an app install (see pause-point.js). */
import { join } from 'node:path';

export const PAUSE_POINT_SCRIPT = join(__dirname, 'pause-point.js');

/** The line pause-point.js prints once the process is frozen. */
export const PAUSED = /pause-point (\d+) (\S+) (.*)/;

/** Stops before the `step`-th file operation on an app store's bookkeeping folders, counted from the first staging folder made. */
export function pausePointEnv(step: number): Record<string, string> {
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PAUSE_POINT_SCRIPT}`.trim(),
    MEGABIT_TEST_PAUSE_MATCH: String.raw`[/\\]apps[/\\]\.(staging|aside|removing)-`,
    MEGABIT_TEST_PAUSE_ARM: String.raw`[/\\]apps[/\\]\.staging-`,
    MEGABIT_TEST_PAUSE_AT: String(step),
  };
}
