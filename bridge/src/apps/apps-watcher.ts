/**
 * Notices hand edits under `apps/`: fs.watch on the folder and on each app folder, debounced,
 * plus a periodic poke because fs.watch misses events (network filesystems, editors that swap
 * files, folders replaced wholesale). It only says "look again"; the store works out what changed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { KV_FILE } from './app-folder';

export interface WatchTiming {
  /** Quiet time after the last event before looking again. */
  debounceMs: number;
  /** Interval of the fallback rescan. */
  rescanMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = { debounceMs: 300, rescanMs: 5000 };

/** The sandbox rewrites kv.json (via temp files) all the time; that is no change to the app. */
function isKvWrite(file: string | null): boolean {
  return file !== null && (file === KV_FILE || file.startsWith(`.${KV_FILE}.`));
}

export class AppsWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private debounce?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;

  constructor(
    private readonly appsDir: string,
    private readonly lookAgain: () => void,
    private readonly timing: WatchTiming = DEFAULT_WATCH_TIMING,
  ) {}

  start(): void {
    if (this.poll) return;
    this.poll = setInterval(() => this.lookAgain(), this.timing.rescanMs);
    this.poll.unref();
  }

  /** Watches `apps/` and exactly the given app folders (re-arming any watcher that died). */
  follow(appFolders: Iterable<string>): void {
    if (!this.poll) return;
    const wanted = new Set(['', ...appFolders]);
    for (const [name, watcher] of this.watchers) {
      if (!wanted.has(name)) {
        watcher.close();
        this.watchers.delete(name);
      }
    }
    for (const name of wanted) if (!this.watchers.has(name)) this.arm(name);
  }

  stop(): void {
    clearInterval(this.poll);
    clearTimeout(this.debounce);
    this.poll = undefined;
    this.debounce = undefined;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private arm(name: string): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(join(this.appsDir, name), { persistent: false }, (_event, file) => {
        if (name !== '' && isKvWrite(file)) return;
        this.schedule();
      });
    } catch {
      // The folder vanished or cannot be watched; the periodic rescan still covers it.
      return;
    }
    watcher.on('error', () => {
      watcher.close();
      if (this.watchers.get(name) === watcher) this.watchers.delete(name);
      this.schedule();
    });
    this.watchers.set(name, watcher);
  }

  private schedule(): void {
    if (!this.poll) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.lookAgain();
    }, this.timing.debounceMs);
    this.debounce.unref();
  }
}
