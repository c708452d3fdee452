/**
 * Where the repository's parts are, whatever the current directory. The bench runs compiled,
 * from bench/dist/lib/ for this module (the repository three levels up); its test
 * (bench/test/) runs the sources, from bench/lib/ (two levels up).
 */
import { basename, join, resolve } from 'node:path';

const compiled = basename(resolve(__dirname, '..')) === 'dist';
export const ROOT = resolve(__dirname, ...(compiled ? ['..', '..', '..'] : ['..', '..']));
export const BENCH_DIR = join(ROOT, 'bench');
/** The bridge as `npm start` runs it: a child process, never imported. */
export const BRIDGE_CLI = join(ROOT, 'bridge', 'dist', 'cli.js');
export const EXAMPLES = join(ROOT, 'apps', 'examples');
export const FIRMWARE_DIR = join(ROOT, 'firmware');
