/**
 * The real bridge, as a user runs it: `node bridge/dist/cli.js --config FILE` in its own process,
 * on free loopback ports with a temporary data dir. Needs `npm run build` (npm test builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeviceTopics } from '@megabit/contract';
import { askCountsOverIpc } from '../../src/diagnostics/ipc-diagnostics';
import type { ResourceCounts } from '../../src/diagnostics/resource-counts';
import { freePort } from './ports';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const BRIDGE_CLI = join(REPO_ROOT, 'bridge', 'dist', 'cli.js');

export interface BridgeOptions {
  /** External broker; absent = the bridge's embedded broker. */
  mqttUrl?: string;
  deviceId?: string;
  baseTopic?: string;
  /** Extra settings, merged over the generated ones (top-level keys replace). */
  settings?: Record<string, unknown>;
  /** Extra keys of the embedded broker's section (logins, TLS, limits), beside its generated ports. */
  broker?: Record<string, unknown>;
  /** Extra `http` settings, merged into the generated ones (which keep host and port). */
  http?: Record<string, unknown>;
  /** Example apps (by id) copied from apps/examples/<id>/build into the data dir before start. */
  apps?: string[];
  /** Keep an existing data dir (e.g. a restart test). */
  dataDir?: string;
  env?: Record<string, string>;
  /**
   * Open an IPC channel to the bridge and start it with --expose-gc, so `counts()` can ask it for
   * its resource counts (bridge/src/diagnostics/).
   */
  diagnostics?: boolean;
  /** Another Node and bridge to run (the packed bridge on ARM Node under qemu); default: this Node and bridge/dist/cli.js. */
  runtime?: { node: string; cli: string };
  /** How long the start may take before it counts as failed; default 20 s. */
  readyTimeoutMs?: number;
}

export class RunningBridge {
  private process?: ChildProcess;
  private countRequests = 0;
  output = '';
  readonly topics: DeviceTopics;

  private constructor(
    readonly dataDir: string,
    private readonly configFile: string,
    readonly httpPort: number,
    readonly brokerPort: number,
    readonly externalMqttUrl: string | undefined,
    readonly baseTopic: string,
    readonly deviceId: string,
    private readonly env: Record<string, string>,
    private readonly diagnostics: boolean,
    private readonly runtime: { node: string; cli: string },
    private readonly readyTimeoutMs: number,
  ) {
    this.topics = new DeviceTopics(baseTopic, deviceId);
  }

  static async start(options: BridgeOptions = {}): Promise<RunningBridge> {
    const runtime = options.runtime ?? { node: process.execPath, cli: BRIDGE_CLI };
    if (!existsSync(runtime.cli)) throw new Error(`${runtime.cli} is missing: run "npm run build" first`);
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'megabit-bridge-'));
    const httpPort = await freePort();
    const brokerPort = await freePort();
    const baseTopic = options.baseTopic ?? 'megabit';
    const deviceId = options.deviceId ?? 'megabit';
    const settings: Record<string, unknown> = {
      device_id: deviceId,
      data_dir: dataDir,
      log_level: 'debug',
      mqtt: { base_topic: baseTopic, ...(options.mqttUrl ? { url: options.mqttUrl } : {}) },
      broker: { host: '127.0.0.1', port: brokerPort, ws_port: 0, ...options.broker },
      http: { host: '127.0.0.1', port: httpPort, ...options.http },
      // Threads on a loaded 2-core test machine can stall past the 250 ms default; apps that
      // loop forever are caught by any budget.
      sandbox: { run_timeout_ms: 2000 },
      ...options.settings,
    };
    const configFile = join(dataDir, 'megabit.yaml');
    // JSON is YAML: no need to serialise YAML here.
    writeFileSync(configFile, JSON.stringify(settings, null, 2));
    // An existing apps/ folder means "not a first run": no example apps unless asked for.
    mkdirSync(join(dataDir, 'apps'), { recursive: true });
    for (const id of options.apps ?? []) installExample(dataDir, id);
    const bridge = new RunningBridge(
      dataDir,
      configFile,
      httpPort,
      brokerPort,
      options.mqttUrl,
      baseTopic,
      deviceId,
      options.env ?? {},
      options.diagnostics ?? false,
      runtime,
      options.readyTimeoutMs ?? 20_000,
    );
    try {
      await bridge.launch();
    } catch (e) {
      // A bridge that never came up is never disposed: its scratch folder must not outlive the test.
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
    return bridge;
  }

  get mqttUrl(): string {
    return this.externalMqttUrl ?? `mqtt://127.0.0.1:${this.brokerPort}`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.httpPort}/mqtt`;
  }

  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  private async launch(extraEnv: Record<string, string> = {}): Promise<void> {
    const nodeArgs = this.diagnostics ? ['--expose-gc'] : [];
    const child = spawn(this.runtime.node, [...nodeArgs, this.runtime.cli, '--config', this.configFile], {
      stdio: this.diagnostics ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: this.dataDir, ...this.env, ...extraEnv },
    });
    this.process = child;
    // After a relaunch, the previous run's output already holds the ready line.
    const from = this.output.length;
    const ready = new Promise<void>((resolveReady, reject) => {
      // A bridge that did not start is stopped, or it would outlive the test that gave up on it.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`bridge did not start within ${this.readyTimeoutMs} ms:\n${this.output}`));
      }, this.readyTimeoutMs);
      const onData = (d: Buffer): void => {
        this.output += d.toString();
        if (this.output.includes('simulator: http', from)) {
          clearTimeout(timer);
          resolveReady();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bridge exited (${code ?? signal}) during start:\n${this.output}`));
      });
    });
    await ready;
  }

  /** The bridge's resource counts, asked over its IPC channel (start it with `diagnostics: true`). */
  async counts(options: { gc?: boolean } = {}): Promise<ResourceCounts> {
    const child = this.process;
    if (!this.diagnostics || !child?.connected) throw new Error('the bridge runs without its diagnostics channel');
    return askCountsOverIpc(child, ++this.countRequests, options.gc);
  }

  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    return this.signal(signal);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts the process again after a kill, on the same ports and data dir; `env` for this run only. */
  async relaunch(env: Record<string, string> = {}): Promise<void> {
    await this.launch(env);
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    child.kill(signal);
    return exited;
  }
}

/** Copies a built example app into a data dir's apps folder. */
export function installExample(dataDir: string, id: string): void {
  const source = join(REPO_ROOT, 'apps', 'examples', id, 'build');
  if (!existsSync(join(source, 'manifest.json'))) throw new Error(`example app "${id}" is not built (${source}); run "npm run build"`);
  const target = join(dataDir, 'apps', id);
  mkdirSync(target, { recursive: true });
  cpSync(source, target, { recursive: true });
}

/** A built example app as the payload of `P/cmd/apps/install`: its manifest and base64 module. */
export function exampleInstall(id: string): { manifest: Record<string, unknown>; wasm: string } {
  const build = join(REPO_ROOT, 'apps', 'examples', id, 'build');
  const manifest = JSON.parse(readFileSync(join(build, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  return { manifest, wasm: readFileSync(join(build, String(manifest.bin))).toString('base64') };
}

export const startBridge = (options?: BridgeOptions): Promise<RunningBridge> => RunningBridge.start(options);
