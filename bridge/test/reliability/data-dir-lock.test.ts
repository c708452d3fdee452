/**
 * One bridge per data dir, with two real bridge processes: the second refuses and names the
 * first's pid; a clean stop releases the lock; a lock left by a killed bridge is taken over.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningBridge, startBridge } from '../helpers/bridge-process';

jest.setTimeout(60_000);

const started: RunningBridge[] = [];
afterEach(async () => {
  for (const bridge of started.splice(0)) await bridge.kill();
});

async function first(): Promise<RunningBridge> {
  const bridge = await startBridge();
  started.push(bridge);
  return bridge;
}

const lockPid = (dataDir: string): number => Number(readFileSync(join(dataDir, 'bridge.lock'), 'utf8').trim());

describe('the data dir lock', () => {
  it('keeps a second bridge off a data dir in use, naming the first one', async () => {
    const a = await first();
    expect(lockPid(a.dataDir)).toBe(a.pid);
    const second = startBridge({ dataDir: a.dataDir });
    await expect(second).rejects.toThrow(`another bridge (pid ${a.pid}) is already running on the data dir ${a.dataDir}`);
    await expect(second).rejects.toThrow(/^bridge exited \(1\) during start/);
    // The first one keeps running, and keeps its lock.
    expect(a.running).toBe(true);
    expect(lockPid(a.dataDir)).toBe(a.pid);
    rmSync(a.dataDir, { recursive: true, force: true });
  });

  it('is released by a clean stop, so the next bridge starts without a word about it', async () => {
    const a = await first();
    expect(await a.stop()).toBe(0);
    expect(existsSync(join(a.dataDir, 'bridge.lock'))).toBe(false);
    const b = await startBridge({ dataDir: a.dataDir });
    started.push(b);
    expect(lockPid(b.dataDir)).toBe(b.pid);
    expect(b.output).not.toMatch(/took over the lock/);
    await b.stop();
    rmSync(a.dataDir, { recursive: true, force: true });
  });

  it('is taken over, with a note, from a bridge that was killed', async () => {
    const a = await first();
    const deadPid = a.pid;
    await a.kill('SIGKILL');
    // SIGKILL leaves no chance to clean up: the lock still names the dead bridge.
    expect(lockPid(a.dataDir)).toBe(deadPid);
    const b = await startBridge({ dataDir: a.dataDir });
    started.push(b);
    expect(b.output).toContain(`took over the lock of the bridge with pid ${deadPid}, which is no longer running`);
    expect(lockPid(b.dataDir)).toBe(b.pid);
    await b.stop();
    expect(existsSync(join(b.dataDir, 'bridge.lock'))).toBe(false);
    rmSync(a.dataDir, { recursive: true, force: true });
  });
});
