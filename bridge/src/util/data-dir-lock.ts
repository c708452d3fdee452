/**
 * One bridge per data dir: two would both rewrite state.json, the app folders and the KV stores,
 * each undoing the other's writes. The first takes `bridge.lock` in the data dir, holding its pid;
 * a second refuses to start and names that pid. A lock left by a bridge that died without
 * cleaning up (SIGKILL, power loss) is taken over with a note, and the lock goes on exit.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from './atomic-file';
import type { Logger } from './logger';

export const LOCK_FILE = 'bridge.lock';
/** The lock and the pid-named files it is linked from, or a stale one is moved to, while it is taken. */
export const LOCK_FILES = /^bridge\.lock(\.(stale\.)?\d+)?$/;

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another bridge (pid ${pid}) is already running on the data dir ${dataDir} (lock file ${join(dataDir, LOCK_FILE)}): ` +
        'stop it first, or give this one its own data_dir',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

/** The pid in a lock file; undefined if it cannot be read as one. */
function lockHolder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When `pid` started, in ms since the epoch, on Linux (boot time from /proc/stat plus the start
 * tick in /proc/<pid>/stat, at the kernel's usual 100 ticks a second); undefined elsewhere.
 */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: field 22 is the start.
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    const start = (bootSeconds + startTicks / 100) * 1000;
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` may still be the bridge that wrote a lock at `lockTimeMs`. Signal 0 only asks
 * whether the pid exists (EPERM: it does, as another user's). A pid that the system has since
 * given to a process started after the lock was written is not that bridge.
 */
function holderAlive(pid: number, lockTimeMs: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartMs(pid);
  // Boot time has whole seconds: allow for them.
  return started === undefined || started <= lockTimeMs + 2000;
}

/**
 * The pid of the bridge that holds `dataDir`'s lock now; undefined when there is no lock, or its
 * holder is gone (a stale lock the next bridge would take over).
 */
export function liveLockHolder(dataDir: string): number | undefined {
  const file = join(dataDir, LOCK_FILE);
  const holder = lockHolder(file);
  if (holder === undefined) return undefined;
  try {
    return holderAlive(holder, statSync(file).mtimeMs) ? holder : undefined;
  } catch {
    return undefined; // released meanwhile
  }
}

/** Takes the data dir's lock or throws DataDirLockedError. Creates the data dir (0700) if needed. */
export function lockDataDir(dataDir: string, log: Logger, pid = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const file = join(dataDir, LOCK_FILE);
  // The pid is written to a file of our own first and linked into place: link is atomic and
  // fails if the lock exists, so no one ever reads a half-written lock or two bridges both win.
  const mine = join(dataDir, `${LOCK_FILE}.${pid}`);
  writeFileSync(mine, `${pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
        return lockHandle(file, pid);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = lockHolder(file);
      let lockTime: number;
      try {
        lockTime = statSync(file).mtimeMs;
      } catch {
        continue; // released meanwhile: try again
      }
      if (holder !== undefined && holder !== pid && holderAlive(holder, lockTime)) throw new DataDirLockedError(dataDir, holder);
      takeOverStale(file, holder, pid);
      log.warn(
        holder === undefined
          ? `took over the unreadable lock file ${file}`
          : `took over the lock of the bridge with pid ${holder}, which is no longer running (it did not shut down cleanly)`,
      );
    }
    throw new Error(`could not take the lock ${file}: it keeps changing (another bridge starting at the same time?)`);
  } finally {
    unlinkSync(mine);
  }
}

/**
 * Moves a dead bridge's lock out of the way. Renaming first, then checking what was moved, keeps
 * two bridges that found the same stale lock from removing the one the faster of them just took.
 */
function takeOverStale(file: string, holder: number | undefined, pid: number): void {
  const moved = `${file}.stale.${pid}`;
  try {
    renameSync(file, moved);
  } catch {
    return; // someone else moved it: the next attempt sees what is there now
  }
  if (lockHolder(moved) !== holder) {
    // Not the lock we judged: another bridge's fresh one. Put it back unless a third took the place.
    try {
      linkSync(moved, file);
    } catch {
      // the place is taken again; the next attempt judges that lock
    }
  }
  unlinkSync(moved);
}

function lockHandle(file: string, pid: number): DataDirLock {
  return {
    file,
    release(): void {
      if (lockHolder(file) !== pid) return;
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}
