/**
 * The bridge on ARM, emulated: scripts/arm-node.js installs the packed bridge on Node for
 * linux-arm64 and linux-armv7l (the registry's node-linux-* packages, run by Debian's
 * qemu-user-static; first run downloads into .cache/arm/, later runs reuse it). On each, the two
 * figures the x64 bench has too: start-up (spawn -> first P/display/frame on the bench's
 * mosquitto, clock app installed) and the frame pipeline (pipeline.ts itself, run by the emulated
 * Node against the installed package). Ratios are to this run's x64 figures: emulation on this
 * machine, not a Raspberry Pi, so they say how much slower qemu-user is, and that it works.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { builtExamples, startBridge } from './lib/bridge';
import { type Broker, runSectionAlone } from './lib/mosquitto';
import { BENCH_DIR, EXAMPLES, FIRMWARE_DIR, ROOT } from './lib/paths';
import { median, ratio } from './lib/stats';
import { measurePipeline, type PipelineResult } from './pipeline';
import { isLit, measureStartup, type StartupResult, timeToFirstMessage } from './startup';
import { printArm } from './table';
import { connectAsync } from 'mqtt';

/** What scripts/arm-node.js prints for a prepared target. */
export interface PreparedArm {
  arch: string;
  nodeVersion: string;
  npmVersion: string;
  node: string;
  installDir: string;
  bridgeCli: string;
  installedFresh: boolean;
  installSeconds: number;
}

export interface ArmTargetResult {
  arch: string;
  node: string;
  npm: string;
  /** Seconds the emulated `npm install` of the packed bridge took; null when the cached install was reused. */
  install_s: number | null;
  startup: {
    runs: number;
    first_frame_ms_median: number | null;
    first_drawn_frame_ms_median: number | null;
    ratio_to_x64: number | null;
  };
  pipeline: {
    rounds: number;
    baseline_fps: number | null;
    baseline_ratio_to_x64: number | null;
    apps: Array<{ app: string; unthrottled_fps: number | null; ratio_to_x64: number | null }>;
  };
}

export interface ArmResult {
  targets: ArmTargetResult[];
}

const TARGETS = ['arm64', 'armv7l'];
/** An emulated bridge was ready after 10 s idle, after 95-158 s on a loaded 2-core machine: a limit that only a hung one reaches. */
const EMULATED_START_TIMEOUT_MS = 600_000;

export function prepare(arch: string): Promise<PreparedArm> {
  // The packed bridge carries the Nano's firmware image (`megabit device flash`): a checkout where
  // only `npm run build` ran (no `npm test`, whose pretest makes it) has none yet.
  execFileSync('make', ['-s', '-C', FIRMWARE_DIR, 'build/nano33ble/firmware.hex'], { stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'arm-node.js'), arch], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PreparedArm) : reject(new Error(`scripts/arm-node.js ${arch} failed (${code})`))));
  });
}

/**
 * The compiled bench and the example apps beside the ARM install, laid out as in the repository,
 * so that the copied pipeline.js finds `megabit-bridge` in the install's node_modules: the packed
 * bridge for that CPU, not the checkout's.
 */
function stageBench(arm: PreparedArm, apps: string[]): string {
  const dist = join(arm.installDir, 'bench', 'dist');
  rmSync(join(arm.installDir, 'bench'), { recursive: true, force: true });
  cpSync(join(BENCH_DIR, 'dist'), dist, { recursive: true });
  for (const id of apps) {
    const target = join(arm.installDir, 'apps', 'examples', id, 'build');
    mkdirSync(target, { recursive: true });
    cpSync(join(EXAMPLES, id, 'build'), target, { recursive: true });
  }
  return join(dist, 'pipeline.js');
}

/** pipeline.ts's measurement, run by the emulated Node; resolves with its result. */
function pipelineOnArm(arm: PreparedArm, pipelineJs: string, apps: string[], rounds: number): Promise<PipelineResult> {
  const script = `require(${JSON.stringify(pipelineJs)}).measurePipeline(${JSON.stringify(apps)}, { rounds: ${rounds}, emulated: true })
  .then((r) => process.stdout.write(JSON.stringify(r), () => process.exit(0)), (e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(arm.node, ['-e', script], { cwd: arm.installDir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PipelineResult) : reject(new Error(`the pipeline on ${arm.arch} failed (${code})`))));
  });
}

async function startupOnArm(arm: PreparedArm, broker: Broker, runs: number): Promise<{ first: number[]; lit: number[] }> {
  const client = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  const first: number[] = [];
  const lit: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const deviceId = `bench-${arm.arch}-${process.pid}-${run}`;
      const topic = `megabit/${deviceId}/display/frame`;
      const times = await timeToFirstMessage(
        client,
        topic,
        async () => {
          const b = await startBridge({
            mqttUrl: broker.url,
            deviceId,
            apps: ['clock'],
            waitReady: false,
            runtime: { node: arm.node, cli: arm.bridgeCli },
            settings: { sandbox: { run_timeout_ms: 20_000, setup_timeout_ms: 120_000 } },
          });
          return { startedAt: b.startedAt, dispose: () => b.dispose() };
        },
        isLit,
        EMULATED_START_TIMEOUT_MS,
      );
      first.push(times.first);
      lit.push(times.lit);
      await client.publishAsync(topic, '', { retain: true });
    }
  } finally {
    await client.endAsync(true);
  }
  return { first, lit };
}

export async function measureArm(
  broker: Broker,
  apps: string[],
  x64: { startup: StartupResult; pipeline: PipelineResult },
  { runs = 3, rounds = 3, targets = TARGETS } = {},
): Promise<ArmResult> {
  const results: ArmTargetResult[] = [];
  for (const arch of targets) {
    const arm = await prepare(arch);
    process.stderr.write(`bench: ${arch} start-up (${runs} runs)...\n`);
    const startup = await startupOnArm(arm, broker, runs);
    process.stderr.write(`bench: ${arch} frame pipeline (${rounds} rounds)...\n`);
    const pipeline = await pipelineOnArm(arm, stageBench(arm, apps), apps, rounds);
    const x64Fps = new Map(x64.pipeline.apps.map((a) => [a.app, a.unthrottled_fps]));
    results.push({
      arch,
      node: arm.nodeVersion,
      npm: arm.npmVersion,
      install_s: arm.installedFresh ? arm.installSeconds : null,
      startup: {
        runs,
        first_frame_ms_median: median(startup.first),
        first_drawn_frame_ms_median: median(startup.lit),
        ratio_to_x64: ratio(median(startup.first), x64.startup.bridge_ms_median),
      },
      pipeline: {
        rounds,
        baseline_fps: pipeline.baseline.unthrottled_fps,
        baseline_ratio_to_x64: ratio(pipeline.baseline.unthrottled_fps, x64.pipeline.baseline.unthrottled_fps),
        apps: pipeline.apps.map((a) => ({ app: a.app, unthrottled_fps: a.unthrottled_fps, ratio_to_x64: ratio(a.unthrottled_fps, x64Fps.get(a.app)) })),
      },
    });
  }
  return { targets: results };
}

// `node bench/dist/arm.js` measures only this, with the x64 figures it is compared to (3 runs and
// rounds each instead of 5); needs mosquitto, the built bridge, firmware images and qemu-user.
if (require.main === module) {
  let x64: { startup: StartupResult; pipeline: PipelineResult } | undefined;
  runSectionAlone(
    async (broker) => {
      const apps = builtExamples();
      process.stderr.write('bench: x64 start-up and frame pipeline...\n');
      x64 = { startup: await measureStartup(broker, { runs: 3 }), pipeline: await measurePipeline(apps, { rounds: 3 }) };
      return measureArm(broker, apps, x64);
    },
    (result) => printArm(result, x64!),
  );
}
