/**
 * Starts an app worker from wherever its code is.
 *
 * The compiled bridge has `app-worker.js` beside this module and runs it as a file. When the
 * bridge runs from its TypeScript sources (jest, through swc), there is no such file beside this
 * one: the worker's TS entry is then bundled in memory with esbuild (once per process, ~50 ms)
 * and run with `eval`. Deciding by "is the compiled sibling here" rather than by an environment
 * flag means production never needs esbuild, and tests always run the current sources instead of
 * a possibly stale dist. `@extism/extism` stays outside the bundle, pinned to the absolute path
 * this module resolves, so an eval'd worker does not depend on the process's working directory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const EXTISM = '@extism/extism';
let bundled: string | undefined;
/** App workers started and not yet exited: Node does not list workers among its active handles. */
let live = 0;
/** App workers ever started: a rotation that reuses its workers keeps this still. */
let started = 0;

export function startWorker(options: WorkerOptions): Worker {
  const compiled = join(__dirname, 'app-worker.js');
  const worker =
    __filename.endsWith('.js') && existsSync(compiled) ? new Worker(compiled, options) : new Worker(bundleFromSources(), { ...options, eval: true });
  live++;
  started++;
  worker.once('exit', () => live--);
  return worker;
}

/** How many app worker threads exist now (started, not yet exited). */
export function liveWorkerCount(): number {
  return live;
}

/** How many app worker threads were started since the process began (see worker-pool.ts). */
export function startedWorkerCount(): number {
  return started;
}

function bundleFromSources(): string {
  if (bundled !== undefined) return bundled;
  // Only reached when running from sources, where this devDependency is installed.
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [join(__dirname, 'app-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: [EXTISM],
  });
  // The service thread buildSync started would live as long as the process: under jest every
  // test file loads esbuild afresh and so starts one more.
  void esbuild.stop();
  const code = result.outputFiles[0].text;
  const request = `require(${JSON.stringify(EXTISM)})`;
  if (!code.includes(request)) throw new Error(`bundling the app worker: expected ${request} in the output`);
  bundled = code.split(request).join(`require(${JSON.stringify(require.resolve(EXTISM))})`);
  return bundled;
}
