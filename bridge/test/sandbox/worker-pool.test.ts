/**
 * The worker pool's own bookkeeping (sandbox/worker-pool.ts), counted on real app worker threads
 * (worker-script.ts counts them from start to exit) with the idle expiry on a clock moved by hand,
 * so nothing here waits out the 60 s: an idle thread ends once it has gone `idleMs` unused and not
 * before, a thread taken back for an app holds no expiry (time passing never ends it under its
 * app), and the pool never keeps more idle threads, or expiry timers, than its maximum.
 */
import type { Worker } from 'node:worker_threads';
import { WorkerPool } from '../../src/sandbox/worker-pool';
import { liveWorkerCount, startWorker } from '../../src/sandbox/worker-script';
import { ManualClock } from '../helpers/display';
import { waitUntil } from '../helpers/ports';

const IDLE_MS = 60_000;
const MAX_IDLE = 2;

let clock: ManualClock;
let pool: WorkerPool;
/** Every thread the pool started in this test, all ended after it. */
let started: Worker[];
/** App threads alive before the test (none in this file; counted rather than assumed). */
let baseline: number;

beforeEach(() => {
  clock = new ManualClock();
  started = [];
  baseline = liveWorkerCount();
  pool = new WorkerPool({
    start: () => {
      const worker = startWorker({ execArgv: ['--no-warnings'] });
      started.push(worker);
      return worker;
    },
    maxIdle: MAX_IDLE,
    idleMs: IDLE_MS,
    timers: clock,
  });
});

afterEach(async () => {
  await pool.drain();
  await Promise.all(started.map((worker) => worker.terminate()));
  await threadsAlive(baseline);
});

/** Waits for the live thread count (terminate() resolves before the thread's exit is counted). */
const threadsAlive = (n: number): Promise<void> => waitUntil(() => liveWorkerCount() === n, `${n} app threads alive (now ${liveWorkerCount()})`);

it('an idle thread ends once it has gone idleMs unused, and not a millisecond before', async () => {
  const worker = pool.acquire();
  expect(liveWorkerCount()).toBe(baseline + 1);
  pool.release(worker);
  expect(pool.idleCount()).toBe(1);
  expect(clock.pending).toBe(1);
  const terminate = jest.spyOn(worker, 'terminate');

  clock.advance(IDLE_MS - 1);
  expect(terminate).not.toHaveBeenCalled();
  expect(pool.idleCount()).toBe(1);

  clock.advance(1);
  expect(terminate).toHaveBeenCalledTimes(1);
  expect(pool.idleCount()).toBe(0);
  expect(clock.pending).toBe(0);
  await threadsAlive(baseline);
  // Gone for good: the next app gets a new thread.
  expect(pool.acquire()).not.toBe(worker);
  expect(started).toHaveLength(2);
});

it('a thread taken for an app holds no expiry: no time passing ends it under its app, and released again it gets a full idleMs', async () => {
  const worker = pool.acquire();
  pool.release(worker);
  clock.advance(IDLE_MS / 2);
  expect(pool.acquire()).toBe(worker);
  expect(pool.reuseCount()).toBe(1);
  expect(clock.pending).toBe(0);
  const terminate = jest.spyOn(worker, 'terminate');

  clock.advance(IDLE_MS * 10);
  expect(terminate).not.toHaveBeenCalled();
  expect(liveWorkerCount()).toBe(baseline + 1);

  pool.release(worker);
  clock.advance(IDLE_MS - 1);
  expect(pool.idleCount()).toBe(1);
  expect(terminate).not.toHaveBeenCalled();
  clock.advance(1);
  expect(pool.idleCount()).toBe(0);
  expect(terminate).toHaveBeenCalledTimes(1);
  await threadsAlive(baseline);
  expect(started).toHaveLength(1);
});

it('keeps at most its maximum idle: of five threads released, three end at once; one expiry timer per idle thread', async () => {
  const workers = Array.from({ length: 5 }, () => pool.acquire());
  expect(liveWorkerCount()).toBe(baseline + 5);
  for (const worker of workers) pool.release(worker);
  expect(pool.idleCount()).toBe(MAX_IDLE);
  expect(clock.pending).toBe(MAX_IDLE);
  await threadsAlive(baseline + MAX_IDLE);

  // Taken and given back over and over, the pool holds no more threads and no more timers.
  for (let i = 0; i < 20; i++) {
    const a = pool.acquire();
    const b = pool.acquire();
    pool.release(a);
    pool.release(b);
    clock.advance(IDLE_MS / 4);
  }
  expect(pool.idleCount()).toBe(MAX_IDLE);
  expect(clock.pending).toBe(MAX_IDLE);
  expect(liveWorkerCount()).toBe(baseline + MAX_IDLE);
  expect(started).toHaveLength(5);

  clock.advance(IDLE_MS);
  expect(pool.idleCount()).toBe(0);
  expect(clock.pending).toBe(0);
  await threadsAlive(baseline);
});

it('an idle thread that exits by itself leaves the pool, its expiry timer with it', async () => {
  const worker = pool.acquire();
  pool.release(worker);
  await worker.terminate();
  await waitUntil(() => pool.idleCount() === 0, 'the exited thread to leave the pool');
  expect(clock.pending).toBe(0);
  expect(pool.acquire()).not.toBe(worker);
});

it('drain ends every idle thread and clears their expiries', async () => {
  const [a, b] = [pool.acquire(), pool.acquire()];
  pool.release(a);
  pool.release(b);
  await pool.drain();
  expect(pool.idleCount()).toBe(0);
  expect(clock.pending).toBe(0);
  await threadsAlive(baseline);
});
