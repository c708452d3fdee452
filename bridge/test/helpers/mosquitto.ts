/** Debian's mosquitto, started by a test on free loopback ports with its own config file. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { delay, freePort } from './ports';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Extra lines for mosquitto.conf after the listeners. */
  extraConfig?: string[];
  /** Replace `allow_anonymous true` (e.g. with a password file). */
  auth?: string[];
}

export class Mosquitto {
  private process?: ChildProcess;
  private readonly dir: string;
  output = '';
  /** How the last broker process ended. */
  lastExit?: { code: number | null; signal: NodeJS.Signals | null };

  private constructor(
    readonly port: number,
    readonly wsPort: number,
    private readonly options: MosquittoOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'megabit-mosquitto-'));
  }

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    if (!existsSync(MOSQUITTO)) {
      throw new Error(`${MOSQUITTO} is missing: install Debian's mosquitto (npm test does this when run as root)`);
    }
    const broker = new Mosquitto(await freePort(), await freePort(), options);
    try {
      await broker.run();
    } catch (e) {
      // A broker that never listened is never disposed by the test: stop it and remove its folder here.
      await broker.dispose();
      throw e;
    }
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.wsPort}`;
  }

  get configDir(): string {
    return this.dir;
  }

  private async run(): Promise<void> {
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        'per_listener_settings false',
        `listener ${this.port} 127.0.0.1`,
        `listener ${this.wsPort} 127.0.0.1`,
        'protocol websockets',
        ...(this.options.auth ?? ['allow_anonymous true']),
        'persistence false',
        ...(this.options.extraConfig ?? []),
        '',
      ].join('\n'),
    );
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    child.once('exit', (code, signal) => (this.lastExit = { code, signal }));
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${this.output}`);
      if (await canConnect(this.port)) return;
      await delay(50);
    }
    throw new Error(`mosquitto did not listen on ${this.port} within 10 s: ${this.output}`);
  }

  /** A clean shutdown (SIGTERM), or with `SIGKILL` a crash: no goodbye to any client. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Stops (or with `SIGKILL` kills) the broker, waits `downMs`, and starts it on the same ports. */
  async restart(downMs = 0, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    if (downMs > 0) await delay(downMs);
    await this.run();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
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
