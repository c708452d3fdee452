/**
 * start-garbage.ts, in plain Node processes: on Node 24 the collection gives the heap's free pages
 * back (what a plain full collection does not), leaves `--expose-gc` as it was (off, or on where
 * the user or an app worker set it; the Liftoff flag it sets is util/keep-liftoff-code.test.ts's); on Node 20 (V8 11, whose `gc` takes no options) it does
 * nothing.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI } from './helpers/bridge-process';
import { installNode } from './helpers/packed-bridge';

const MODULE = join(BRIDGE_CLI, '..', 'start-garbage.js');
const GC_MODULE = join(BRIDGE_CLI, '..', 'util', 'v8-gc.js');
const MiB = 2 ** 20;

// What a start leaves: a heap grown by objects that lived long enough to reach the old
// generation, then dropped. Prints the heap's committed bytes before and after, whether the
// collection ran, and whether a new context still gets `gc` (the flag) afterwards.
const WORKLOAD = `
const { collectStartGarbage } = require(${JSON.stringify(MODULE)});
// As an app worker does when it loads: the flag left on.
if (process.env.WORKER_FIRST === '1') require(${JSON.stringify(GC_MODULE)}).exposeGc({ restoreFlag: false });
const v8 = require('node:v8');
let keep = [];
for (let i = 0; i < 400000; i++) keep.push({ i, s: 'x' + i, a: [i] });
keep = null;
const before = v8.getHeapStatistics().total_heap_size;
const ran = process.env.PLAIN === '1' ? (globalThis.gc(), true) : collectStartGarbage(process.env.V8_VERSION || undefined);
const after = v8.getHeapStatistics().total_heap_size;
const gcInNewContexts = require('node:vm').runInNewContext('typeof gc') === 'function';
process.stdout.write(JSON.stringify({ before, after, ran, gcInNewContexts }));
`;

interface Outcome {
  before: number;
  after: number;
  ran: boolean;
  gcInNewContexts: boolean;
}

async function run(node: string, nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<Outcome> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.NODE_OPTIONS;
  Object.assign(childEnv, env);
  const { stdout } = await promisify(execFile)(node, [...nodeArgs, '-e', WORKLOAD], { env: childEnv, timeout: 60_000 });
  return JSON.parse(stdout) as Outcome;
}

describe('on Node 24', () => {
  let node24: string;
  beforeAll(() => {
    node24 = installNode(24).binary;
  }, 600_000);

  it('the collection gives the heap back: its committed size ends far below where a plain full collection leaves it', async () => {
    const collected = await run(node24);
    const plain = await run(node24, ['--expose-gc'], { PLAIN: '1' });
    expect(collected.ran).toBe(true);
    // Both start from a heap of well over 40 MB; the plain collection keeps most of it committed.
    expect(collected.before).toBeGreaterThan(40 * MiB);
    expect(plain.before).toBeGreaterThan(40 * MiB);
    expect(plain.after).toBeGreaterThan(2 * collected.after);
    expect(collected.after).toBeLessThan(16 * MiB);
  });

  it('leaves V8 without `--expose-gc` afterwards, as Node started it', async () => {
    expect(await run(node24)).toMatchObject({ ran: true, gcInNewContexts: false });
  });

  it('leaves the flag on when an app worker left it on (the worker takes `gc` as it loads)', async () => {
    expect(await run(node24, [], { WORKER_FIRST: '1' })).toMatchObject({ ran: true, gcInNewContexts: true });
  });

  it('keeps a `--expose-gc` the user gave Node', async () => {
    expect(await run(node24, ['--expose-gc'])).toMatchObject({ ran: true, gcInNewContexts: true });
    expect(await run(node24, [], { NODE_OPTIONS: '--expose-gc' })).toMatchObject({ ran: true, gcInNewContexts: true });
  });
});

it('does nothing on a V8 before 12 (Node 20), whose own memory reducer collects after the start', async () => {
  const outcome = await run(process.execPath, [], { V8_VERSION: '11.3.244.8-node.33' });
  expect(outcome).toMatchObject({ ran: false, gcInNewContexts: false });
  // Nothing was collected: the heap holds what the workload left (the collection leaves less than
  // half of it on Node 24, above). Not an equal size: V8's own background work (a sweeper task
  // finishing) may move the committed size by a page meanwhile, as a loaded machine showed.
  expect(outcome.before).toBeGreaterThan(40 * MiB);
  expect(outcome.after).toBeGreaterThan(outcome.before / 2);
});
