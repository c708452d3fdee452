import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports below the kernel's ephemeral range, one slice per jest worker. A port from the
 * ephemeral range (what listen(0) returns) can be taken as the local end of any outgoing
 * connection while its server is down, so a bridge or broker restarted on the same port would
 * fail to bind; ports below the range are only ever taken by a listen.
 */
function portSlice(): { low: number; size: number } {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralLow;
  } catch {
    // Not Linux: keep the IANA-style default.
  }
  const first = 10_000;
  // jest.config.js runs at most this many workers.
  const slices = 16;
  const size = Math.floor((ephemeralLow - first) / slices);
  const worker = (Number(process.env.JEST_WORKER_ID ?? 1) - 1) % slices;
  return { low: first + worker * size, size };
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Handed out by this process: two calls in a row must not name the same still-unused port. */
const handedOut = new Set<number>();

/** A free port, stable across restarts of whatever listens on it (see portSlice). */
export async function freePort(): Promise<number> {
  const { low, size } = portSlice();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * size);
    if (handedOut.has(port) || !(await listenable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port in ${low}-${low + size - 1} after 50 tries`);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` (every `intervalMs`) until it holds, or fails naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: import('node:child_process').ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Ports on 127.0.0.1 a test keeps busy (a port clash as a user meets it): `take()` holds a new
 * one until `releaseAll()`, which the test calls after each case.
 */
export class BusyPorts {
  private readonly held: Server[] = [];

  async take(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.held.push(server);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  async releaseAll(): Promise<void> {
    for (const server of this.held.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
