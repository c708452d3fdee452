/** Debian's mosquitto on a free loopback port, configured for low latency (see docs/performance.md). */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, freePort, type Started, start, stop } from './processes';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Broker {
  url: string;
  /** Kills mosquitto (SIGKILL: no goodbye to its clients) and starts it again on the same port after `downMs`. */
  restart(downMs: number): Promise<void>;
  dispose(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(): Promise<Broker> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing: install Debian's mosquitto (apt-get install mosquitto)`);
  const dir = mkdtempSync(join(tmpdir(), 'megabit-bench-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // set_tcp_nodelay: without it every QoS 1 hop can stall ~40 ms on a delayed ACK (Nagle).
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'set_tcp_nodelay true', ''].join('\n'));
  let proc = await run(conf, port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async restart(downMs) {
      await stop(proc.child, 'SIGKILL');
      await delay(downMs);
      proc = await run(conf, port);
    },
    async dispose() {
      await stop(proc.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function run(conf: string, port: number): Promise<Started> {
  const proc = start(MOSQUITTO, ['-c', conf]);
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${proc.output()}`);
    await delay(50);
  }
  return proc;
}

/**
 * Runs one bench section on its own (`node bench/dist/<section>.js`): a mosquitto for it, its
 * table, then its figures as JSON; a failure is printed and ends the process with 1.
 */
export function runSectionAlone<T>(measure: (broker: Broker) => Promise<T>, print: (result: T) => void): void {
  (async () => {
    const broker = await startMosquitto();
    try {
      const result = await measure(broker);
      print(result);
      process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await broker.dispose();
    }
  })().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
