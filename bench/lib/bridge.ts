/** The real bridge process (`node bridge/dist/cli.js`), on free loopback ports with a temporary data dir. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askCountsOverIpc, type ResourceCounts } from 'megabit-bridge';
import { BRIDGE_CLI, EXAMPLES } from './paths';
import { freePort, start, stop, waitForOutput } from './processes';

export interface BridgeOptions {
  mqttUrl: string;
  deviceId?: string;
  /** Example apps to install (ids of apps/examples/*). */
  apps?: string[];
  /** More megabit.yaml settings. */
  settings?: Record<string, unknown>;
  waitReady?: boolean;
  /** Start it with --expose-gc and an IPC channel, for `counts()` (the soak run). */
  diagnostics?: boolean;
  /** Another Node and bridge (bench/arm.ts: the packed bridge on ARM Node under qemu); default: this Node and bridge/dist/cli.js. */
  runtime?: { node: string; cli: string /** Arguments before the cli (bench/arm-memory.ts: qemu's guest binary, a `--require`d probe). */; args?: string[] };
  /** More environment variables for the bridge (bench/footprint.ts: the systemd unit's). */
  env?: Record<string, string>;
}

export interface RunningBridge {
  pid: number;
  /** performance.now() at the spawn. */
  startedAt: number;
  output(): string;
  /** http://127.0.0.1:<port>: the page and its /mqtt. */
  httpUrl: string;
  /** Its resource counts, asked over the IPC channel (needs `diagnostics`); `gc` collects garbage first. */
  counts(gc?: boolean): Promise<ResourceCounts>;
  ready(): Promise<void>;
  dispose(): Promise<void>;
}

/** Ids of the example apps that are built. */
export function builtExamples(): string[] {
  return readdirSync(EXAMPLES)
    .filter((id) => existsSync(join(EXAMPLES, id, 'build', 'manifest.json')))
    .sort();
}

/**
 * Writes a config and a data dir holding `apps`, spawns the bridge and, unless `waitReady` is
 * false, waits for its "simulator:" line (it is then connected and running).
 */
export async function startBridge({
  mqttUrl,
  deviceId = 'megabit',
  apps = [],
  settings = {},
  waitReady = true,
  diagnostics = false,
  runtime,
  env = {},
}: BridgeOptions): Promise<RunningBridge> {
  const { node, cli, args = [] } = runtime ?? { node: process.execPath, cli: BRIDGE_CLI };
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'megabit-bench-'));
  mkdirSync(join(dataDir, 'apps'));
  for (const id of apps) cpSync(join(EXAMPLES, id, 'build'), join(dataDir, 'apps', id), { recursive: true });
  const config = join(dataDir, 'megabit.yaml');
  const httpPort = await freePort();
  writeFileSync(
    config,
    JSON.stringify({
      device_id: deviceId,
      data_dir: dataDir,
      // info: the "simulator:" line tells when the bridge is up.
      log_level: 'info',
      mqtt: { url: mqttUrl },
      http: { host: '127.0.0.1', port: httpPort },
      ...settings,
    }),
  );
  const startedAt = performance.now();
  const proc = start(node, [...args, ...(diagnostics ? ['--expose-gc'] : []), cli, '--config', config], {
    env: { ...process.env, ...env, HOME: dataDir },
    ...(diagnostics ? { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] } : {}),
  });
  let requests = 0;
  const bridge: RunningBridge = {
    pid: proc.child.pid!,
    startedAt,
    output: proc.output,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    counts: (gc = false) => askCountsOverIpc(proc.child, ++requests, gc),
    ready: () => waitForOutput(proc, 'simulator:', 30_000),
    async dispose() {
      await stop(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (waitReady) await bridge.ready();
  return bridge;
}
