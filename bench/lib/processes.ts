/** Child processes of the bench: free ports, spawning with captured output, waiting, /proc figures. */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';

/** A spawned child and everything it printed so far. */
export interface Started {
  child: ChildProcess;
  output(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `test` every 5 ms until it is true; rejects saying `what` did not happen in time. */
export async function waitFor(test: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await delay(5);
  }
}

/** Everything the bench spawned and that still runs: stopped with it on Ctrl-C. */
const running = new Set<ChildProcess>();

function stopAllAndExit(signal: NodeJS.Signals): void {
  for (const child of running) child.kill('SIGKILL');
  process.stderr.write(`bench: ${signal}, stopped\n`);
  process.exit(130);
}
process.once('SIGINT', () => stopAllAndExit('SIGINT'));
process.once('SIGTERM', () => stopAllAndExit('SIGTERM'));
// A crash that skips the measurements' own clean-up must not leave qemu, socat or brokers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns `command`; `output()` is everything it printed so far. */
export function start(command: string, args: string[], options: SpawnOptions = {}): Started {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** Resolves when the output contains `text` (searched from `from` on); rejects on exit or timeout. */
export function waitForOutput(proc: Started, text: string, timeoutMs: number, from = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`"${text}" did not appear within ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
    const check = (): void => {
      if (proc.output().includes(text, from)) finish();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(new Error(`exited (${code ?? signal}) before printing "${text}":\n${proc.output()}`));
    function finish(error?: Error): void {
      clearTimeout(timer);
      proc.child.stdout!.off('data', check);
      proc.child.stderr!.off('data', check);
      proc.child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    proc.child.stdout!.on('data', check);
    proc.child.stderr!.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}

/** Stops a child by its pid and waits for it to go. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** User + system CPU seconds a process has used (all its threads), from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces: the fields start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process for `ms`: CPU share of one core over the window, and its RSS every 250 ms. */
export async function footprint(pid: number, ms: number): Promise<{ cpuPercent: number; rss: number[] }> {
  const rss: number[] = [];
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    rss.push(rssBytes(pid));
    await delay(250);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { cpuPercent: (100 * (cpuSeconds(pid) - cpu0)) / seconds, rss };
}
