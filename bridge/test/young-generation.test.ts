/**
 * young-generation.ts, loaded as main.ts (the command) loads it, in a plain Node process: the semi-spaces stay
 * at their starting size under an allocation pattern that grows them otherwise, V8 grows them
 * again once told the start is over, and a size the user gives Node wins. The growth is V8's own heuristic on surviving objects, so the workload
 * keeps a few hundred thousand objects alive while it churns.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI } from './helpers/bridge-process';

const MODULE = join(BRIDGE_CLI, '..', 'young-generation.js');
const MiB = 2 ** 20;

const WORKLOAD = `
const youngGeneration = require(${JSON.stringify(MODULE)});
if (process.env.STARTED === '1') youngGeneration.letYoungGenerationGrow();
const keep = [];
for (let i = 0; i < 2e6; i++) {
  keep.push({ i, s: 'x' + i });
  if (keep.length > 300000) keep.splice(0, 100000);
}
const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
process.stdout.write(String(space.space_size));
`;

async function newSpaceBytes(nodeArgs: string[], nodeOptions?: string, started = false): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, STARTED: started ? '1' : '0' };
  delete env.NODE_OPTIONS;
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs, '-e', WORKLOAD], { env, timeout: 60_000 });
  return Number(stdout);
}

it('the young generation stays at its starting two 1 MB semi-spaces while the bridge starts', async () => {
  expect(await newSpaceBytes([])).toBeLessThanOrEqual(2 * MiB);
});

it('once the bridge has started, V8 grows it again under the same load', async () => {
  expect(await newSpaceBytes([], undefined, true)).toBeGreaterThan(2 * MiB);
});

it('a semi-space size given on the command line wins', async () => {
  expect(await newSpaceBytes(['--max-semi-space-size=8'])).toBeGreaterThan(2 * MiB);
});

it('so does one given in NODE_OPTIONS', async () => {
  expect(await newSpaceBytes([], '--max-semi-space-size=8')).toBeGreaterThan(2 * MiB);
});
