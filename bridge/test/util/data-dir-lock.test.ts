/**
 * The data dir lock's judgement of a lock it finds: a live holder refuses, a dead, reused or
 * unreadable one is taken over. (Two real bridges: reliability/data-dir-lock.test.ts.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, lockDataDir } from '../../src/util/data-dir-lock';
import { recordingLog } from '../helpers/logs';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'megabit-lock-'));
  dirs.push(dir);
  return dir;
}

// A pid no process holds: above the kernel's pid_max (at most 2^22).
const NO_SUCH_PID = 99_999_999;
const MY_LATER_SELF = 77_777_777;

describe('lockDataDir', () => {
  it('writes the pid, and releases only its own lock', () => {
    const dir = dataDir();
    const log = recordingLog();
    const lock = lockDataDir(dir, log, MY_LATER_SELF);
    expect(readFileSync(join(dir, 'bridge.lock'), 'utf8')).toBe(`${MY_LATER_SELF}\n`);
    // Nothing else is left in the data dir.
    expect(readdirSync(dir)).toEqual(['bridge.lock']);
    writeFileSync(join(dir, 'bridge.lock'), '12345\n');
    lock.release();
    expect(readdirSync(dir)).toEqual(['bridge.lock']);
    writeFileSync(join(dir, 'bridge.lock'), `${MY_LATER_SELF}\n`);
    lock.release();
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses while a live process holds the lock, naming it', () => {
    const dir = dataDir();
    // This test process is alive and started before the lock was written.
    writeFileSync(join(dir, 'bridge.lock'), `${process.pid}\n`);
    const log = recordingLog();
    let refused: unknown;
    try {
      lockDataDir(dir, log, MY_LATER_SELF);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toBe(
      `another bridge (pid ${process.pid}) is already running on the data dir ${dir} (lock file ${join(dir, 'bridge.lock')}): stop it first, or give this one its own data_dir`,
    );
    expect(readFileSync(join(dir, 'bridge.lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(dir)).toEqual(['bridge.lock']);
  });

  it('takes over the lock of a pid that no longer runs, with a note', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'bridge.lock'), `${NO_SUCH_PID}\n`);
    const log = recordingLog();
    lockDataDir(dir, log, MY_LATER_SELF);
    expect(readFileSync(join(dir, 'bridge.lock'), 'utf8')).toBe(`${MY_LATER_SELF}\n`);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: `took over the lock of the bridge with pid ${NO_SUCH_PID}, which is no longer running (it did not shut down cleanly)`,
    });
    expect(readdirSync(dir)).toEqual(['bridge.lock']);
  });

  it('takes over a lock whose pid now belongs to a process started after it was written', () => {
    const dir = dataDir();
    const file = join(dir, 'bridge.lock');
    // The pid is alive (this process), but the lock is from long before it started: a reused pid.
    writeFileSync(file, `${process.pid}\n`);
    utimesSync(file, new Date('2001-01-01'), new Date('2001-01-01'));
    const log = recordingLog();
    lockDataDir(dir, log, MY_LATER_SELF);
    expect(readFileSync(file, 'utf8')).toBe(`${MY_LATER_SELF}\n`);
  });

  it('takes over an unreadable lock file', () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'bridge.lock'), 'garbage');
    const log = recordingLog();
    lockDataDir(dir, log, MY_LATER_SELF);
    expect(readFileSync(join(dir, 'bridge.lock'), 'utf8')).toBe(`${MY_LATER_SELF}\n`);
    expect(log.count(/^took over the unreadable lock file /)).toBe(1);
  });
});
