/**
 * Where the repository's parts are. The bench runs compiled, from bench/dist/lib/ for this
 * module: the repository is three levels up, whatever the current directory.
 */
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const BENCH_DIR = join(ROOT, 'bench');
/** The bridge as `npm start` runs it: a child process, never imported. */
export const BRIDGE_CLI = join(ROOT, 'bridge', 'dist', 'cli.js');
export const EXAMPLES = join(ROOT, 'apps', 'examples');
export const FIRMWARE_DIR = join(ROOT, 'firmware');
