/**
 * What an app's worker thread holds besides the app (docs/performance.md, section 4). Extism reads
 * the globals `fetch` and `Response` when it is handed a manifest object and no `fetch` of its
 * own, and the first read of either loads Node's fetch (undici) into the thread: ~4 MB of RSS per
 * running app, for code no app can use (apps reach HTTP through the host). Seen in the worker's
 * heap: undici's error codes (`UND_ERR_...`) are strings of its source that nothing else has.
 */
// The module object itself (a namespace import would be a copy): the sandbox's Worker is read from it.
import workerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { closeIdleWorkers } from '../../src/sandbox';
import { command, useProbeSandbox } from '../helpers/sandbox/harness';

jest.setTimeout(60_000);

const { startProbe } = useProbeSandbox();

afterAll(async () => {
  await closeIdleWorkers();
});

/** Whether the thread's heap holds undici: any string of its error codes. */
async function holdsUndici(worker: Worker): Promise<boolean> {
  const chunks: Buffer[] = [];
  for await (const chunk of await worker.getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { strings: unknown[] };
  return snapshot.strings.some((s) => typeof s === 'string' && s.includes('UND_ERR_'));
}

/** Runs `body` with every Worker the sandbox starts meanwhile recorded. */
async function recordingWorkers<T>(body: () => Promise<T>): Promise<{ result: T; workers: Worker[] }> {
  const workers: Worker[] = [];
  const Original = workerThreads.Worker;
  const module = workerThreads as { Worker: typeof Worker };
  module.Worker = class extends Original {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      workers.push(this);
    }
  };
  try {
    return { result: await body(), workers };
  } finally {
    module.Worker = Original;
  }
}

it('the check sees undici in a thread that read the global Response', async () => {
  const script = "globalThis.Response; require('node:worker_threads').parentPort.postMessage('read'); setInterval(() => {}, 1000);";
  const worker = new workerThreads.Worker(script, { eval: true });
  try {
    await new Promise((resolve) => worker.once('message', resolve));
    expect(await holdsUndici(worker)).toBe(true);
  } finally {
    await worker.terminate();
  }
});

it("a running app's worker never loads Node's fetch (undici)", async () => {
  await closeIdleWorkers();
  const { result: app, workers } = await recordingWorkers(() => startProbe());
  // The app's thread is the last one started: from the TypeScript sources, esbuild's own worker
  // (which bundles the app worker's code) comes first.
  const appWorker = workers.at(-1);
  if (!appWorker) throw new Error('no app worker was started');
  expect(await command(app, 'log|1|ran')).toEqual(['ran']);
  expect(await holdsUndici(appWorker)).toBe(false);
});
