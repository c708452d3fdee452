/**
 * Keeps a few app worker threads that hosted an app which closed cleanly, for the next app.
 *
 * Every new worker is a new V8 isolate, and V8 and glibc keep native memory from each one after it
 * exits (docs/performance.md, section 10): a rotation starting an app a second grew the bridge's
 * RSS for minutes. A worker comes back here only when its app closed normally (it acknowledged the
 * close, no fault before); a worker that hung, hit its heap limit, crashed or faulted is terminated
 * by its app and never seen here. What makes reuse safe is in app-worker.ts (hostApp).
 *
 * Idle workers are unref'd (they never keep the process alive) and terminated after `idleMs`
 * unused, so a bridge that shows one app for hours holds no spare thread.
 */
import type { Worker } from 'node:worker_threads';

export interface WorkerPoolOptions {
  /** Starts a new worker when none is idle. */
  start(): Worker;
  /** At most this many idle workers are kept; more are terminated on release. */
  maxIdle: number;
  /** An idle worker unused this long is terminated. */
  idleMs: number;
  /** What the idle expiry is timed with; tests hand in a clock they move by hand. Default: unref'd Node timers. */
  timers?: PoolTimers;
}

/** The two timer calls the pool makes (a display Clock fits). */
export interface PoolTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

/** Node's timers, unref'd: an idle worker's expiry never keeps the process alive. */
const NODE_TIMERS: PoolTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

interface Idle {
  worker: Worker;
  timer: unknown;
  onExit(): void;
  onError(): void;
}

export class WorkerPool {
  private readonly idle: Idle[] = [];
  private reused = 0;
  private readonly timers: PoolTimers;

  constructor(private readonly options: WorkerPoolOptions) {
    this.timers = options.timers ?? NODE_TIMERS;
  }

  /** An idle worker (most recently released first), or a new one. */
  acquire(): Worker {
    const entry = this.idle.pop();
    if (!entry) return this.options.start();
    this.detach(entry);
    entry.worker.ref();
    this.reused++;
    return entry.worker;
  }

  /** Takes back a worker whose app closed cleanly: kept idle, or terminated if enough are. */
  release(worker: Worker): void {
    if (this.idle.length >= this.options.maxIdle) {
      void worker.terminate().catch(() => undefined);
      return;
    }
    const entry: Idle = {
      worker,
      timer: this.timers.setTimeout(() => this.drop(entry), this.options.idleMs),
      onExit: () => this.remove(entry),
      // An idle thread has no app to report to; it just goes (its exit removes it).
      onError: () => undefined,
    };
    worker.once('exit', entry.onExit);
    worker.on('error', entry.onError);
    worker.unref();
    this.idle.push(entry);
  }

  /** Terminates every idle worker (shutdown, tests that count threads). */
  async drain(): Promise<void> {
    const entries = this.idle.splice(0);
    await Promise.all(
      entries.map((entry) => {
        this.detach(entry);
        return entry.worker.terminate().catch(() => undefined);
      }),
    );
  }

  idleCount(): number {
    return this.idle.length;
  }

  /** How many app starts got an idle worker instead of a new thread. */
  reuseCount(): number {
    return this.reused;
  }

  private drop(entry: Idle): void {
    if (!this.remove(entry)) return;
    void entry.worker.terminate().catch(() => undefined);
  }

  private remove(entry: Idle): boolean {
    const at = this.idle.indexOf(entry);
    if (at < 0) return false;
    this.idle.splice(at, 1);
    this.detach(entry);
    return true;
  }

  private detach(entry: Idle): void {
    this.timers.clearTimeout(entry.timer);
    entry.worker.off('exit', entry.onExit);
    entry.worker.off('error', entry.onError);
  }
}
