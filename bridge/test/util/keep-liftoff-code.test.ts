/**
 * util/keep-liftoff-code.ts, in plain Node processes. On Node 24 a "last resort" collection drops
 * the Liftoff code of every Wasm module in the process (the flush that crashes the process while
 * an app worker instantiates its module): V8 then compiles a function that already ran once again
 * on its next call, which `--trace-wasm-compilation-times` prints. With the flag the bridge sets
 * (in the sandbox before any app starts, and in its start's collection) it compiles once.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI } from '../helpers/bridge-process';
import { installNode } from '../helpers/packed-bridge';

const DIST = join(BRIDGE_CLI, '..');

/** (func (param i32) (result i32) local.get 0 i32.const 1 i32.add), exported as "f". */
const MODULE_BYTES = [0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 9, 1, 7, 0, 32, 0, 65, 1, 106, 11];

// Calls a Wasm function, runs `COLLECT`'s collection, calls it again; prints what the calls gave.
const WORKLOAD = `
const dist = ${JSON.stringify(DIST)};
const { exposeGc } = require(dist + '/util/v8-gc.js');
const { collectStartGarbage } = require(dist + '/start-garbage.js');
const { startApp } = require(dist + '/index.js');
const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(MODULE_BYTES)})));
(async () => {
  const first = instance.exports.f(1);
  if (process.env.COLLECT === 'sandbox-then-last-resort') {
    // A module that does not load: the app never starts, but the sandbox was asked for one.
    await startApp({ manifest: { id: 'x', name: 'x', version: '1.0.0', bin: 'x.wasm' }, wasm: new Uint8Array([1, 2, 3]), config: {}, kvFile: '/nonexistent/kv.json', kvQuotaBytes: 0, timeZone: 'UTC',
      limits: { runTimeoutMs: 1000, setupTimeoutMs: 1000, memoryBytes: 1 << 24, logLinesPerSecond: 10 }, onLog: () => undefined }).catch(() => undefined);
  }
  if (process.env.COLLECT === 'start-garbage') collectStartGarbage();
  else exposeGc({ restoreFlag: true })({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  process.stdout.write(JSON.stringify([first, instance.exports.f(2)]) + '\\n');
})();
`;

interface Outcome {
  results: number[];
  /** Liftoff compilations of the module's one function. */
  compilations: number;
  stderr: string;
}

async function run(node: string, collect: 'last-resort' | 'start-garbage' | 'sandbox-then-last-resort'): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, COLLECT: collect };
  delete env.NODE_OPTIONS;
  const { stdout, stderr } = await promisify(execFile)(node, ['--trace-wasm-compilation-times', '-e', WORKLOAD], { env, timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  return {
    results: JSON.parse(lines[lines.length - 1]) as number[],
    compilations: lines.filter((line) => /^Compiled function .*#0 using Liftoff/.test(line)).length,
    stderr,
  };
}

describe('on Node 24', () => {
  let node24: string;
  beforeAll(() => {
    node24 = installNode(24).binary;
  }, 600_000);

  it('a last-resort collection drops the Liftoff code: the function is compiled again (what the flag prevents)', async () => {
    const outcome = await run(node24, 'last-resort');
    expect(outcome.results).toEqual([2, 3]);
    expect(outcome.compilations).toBe(2);
  });

  it("the start's collection keeps it: the function is compiled once", async () => {
    const outcome = await run(node24, 'start-garbage');
    expect(outcome.results).toEqual([2, 3]);
    expect(outcome.compilations).toBe(1);
  });

  it('once the sandbox was asked for an app, any last-resort collection keeps it', async () => {
    const outcome = await run(node24, 'sandbox-then-last-resort');
    expect(outcome.results).toEqual([2, 3]);
    expect(outcome.compilations).toBe(1);
    expect(outcome.stderr).not.toMatch(/flag/);
  });
});

it('leaves a V8 without the flush (Node 20 and 22) alone: no flag set, no "unrecognized flag" error', async () => {
  const { keepLiftoffCode } = require(join(DIST, 'util', 'keep-liftoff-code.js')) as typeof import('../../src/util/keep-liftoff-code');
  expect(keepLiftoffCode('11.3.244.8-node.33')).toBe(false);
  expect(keepLiftoffCode('12.4.254.21-node.33')).toBe(false);
  // The Node running the tests (20 under `npm test`): whatever its V8, the sandbox prints no flag error.
  const outcome = await run(process.execPath, 'sandbox-then-last-resort');
  expect(outcome.results).toEqual([2, 3]);
  expect(outcome.stderr).not.toMatch(/flag/);
});
