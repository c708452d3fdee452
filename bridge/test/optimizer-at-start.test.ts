/**
 * optimizer-at-start.ts, loaded as main.ts (the command) loads it, in a plain Node process traced with
 * `--trace-opt`: a hot function is not optimized by TurboFan while the bridge starts, is once the
 * bridge lets the optimizer run again, and a setting the user gives Node wins. The module
 * is never imported here: it would turn TurboFan off in the test's own process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI } from './helpers/bridge-process';

const MODULE = join(BRIDGE_CLI, '..', 'optimizer-at-start.js');

// `hot` runs long enough for V8 to optimize it many times over; STARTED lets the optimizer run
// first (with no delay) and waits a turn of the event loop for its timer.
const WORKLOAD = `
const optimizer = require(${JSON.stringify(MODULE)});
function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003; return s; }
function work() { let t = 0; for (let k = 0; k < 200; k++) t += hot(20000); process.stdout.write('done ' + t + '\\n'); }
if (process.env.STARTED === '1') { optimizer.letOptimizerRunSoon(0); setTimeout(work, 10); } else work();
`;

/** How often V8 finished optimizing `hot` with TurboFan. */
async function turbofanRuns(nodeArgs: string[], started = false): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, STARTED: started ? '1' : '0' };
  delete env.NODE_OPTIONS;
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-opt', ...nodeArgs, '-e', WORKLOAD], { env, timeout: 60_000 });
  expect(stdout).toContain('done ');
  return stdout.split('\n').filter((line) => line.includes('completed optimizing') && line.includes('<JSFunction hot ') && line.includes('TURBOFAN')).length;
}

it('TurboFan does not optimize a hot function while the bridge starts', async () => {
  expect(await turbofanRuns([])).toBe(0);
});

it('once the bridge lets it run, TurboFan optimizes the same function', async () => {
  expect(await turbofanRuns([], true)).toBeGreaterThan(0);
});

it('an optimizer setting given on the command line wins', async () => {
  expect(await turbofanRuns(['--turbofan'])).toBeGreaterThan(0);
});
