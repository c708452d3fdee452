/**
 * `npm run bench`: measures the bridge (docs/performance.md says what each figure means), prints
 * a table and writes bench/results.json. Runs compiled (bench/dist/run.js, built by `npm run
 * build`) against the built bridge, and needs Debian's mosquitto. Every figure is a median
 * (p99 too for latencies) next to a baseline from this run.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type ArmResult, measureArm } from './arm';
import { type ArmMemoryResult, measureArmMemory } from './arm-memory';
import { type FootprintResult, measureFootprint } from './footprint';
import { type GroupsResult, measureGroups } from './groups';
import { type LatencyResult, measureLatency } from './latency';
import { builtExamples } from './lib/bridge';
import { startMosquitto } from './lib/mosquitto';
import { BENCH_DIR } from './lib/paths';
import { measurePipeline, type PipelineResult } from './pipeline';
import { measureScanModel, type ScanModelResult } from './scan-model';
import { measureScreens, type ScreensResult } from './screens';
import { measureSerialBytes, type SerialBytesResult } from './serial-bytes';
import { measureSerialLink } from './serial-link';
import { measureStartup, type StartupResult } from './startup';
import { measureSoak, type SoakResult, writeSoakFiles } from './soak';
import { printTables } from './table';

const RESULTS = join(BENCH_DIR, 'results.json');

/** What bench/results.json holds. */
export interface BenchResults {
  when: string;
  machine: { cpus: number; cpu: string; node: string };
  latency: LatencyResult;
  pipeline: PipelineResult;
  serial: SerialBytesResult;
  footprint: FootprintResult;
  startup: StartupResult;
  screens: ScreensResult;
  groups: GroupsResult;
  scan_model: ScanModelResult;
  /** The 10-minute soak's verdicts (its samples are in bench/soak.json). */
  soak: SoakSummary;
  arm: ArmResult;
  arm_memory: ArmMemoryResult;
  duration_s: number;
  /** Why the run stopped early; only the sections before it are there. */
  failed?: string;
}

/** What results.json keeps of the soak: everything but the samples. */
export type SoakSummary = Omit<SoakResult, 'samples' | 'cycle_ends'>;

/** How long the bench soaks the bridge (issue 21); `npm run soak -- --minutes N` runs longer. */
const SOAK_MINUTES = 10;

function step(name: string): void {
  process.stderr.write(`bench: ${name}...\n`);
}

const SECTIONS = ['latency', 'pipeline', 'serial', 'footprint', 'startup', 'screens', 'groups', 'scan-model', 'soak', 'arm', 'arm-memory'] as const;
type Section = (typeof SECTIONS)[number];

/** `--only latency,serial`: just those sections (results.json then holds only them, printed as JSON). */
function onlySections(argv: string[]): Set<Section> | undefined {
  const at = argv.indexOf('--only');
  if (at < 0) return undefined;
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new Error(`--only takes section names from ${SECTIONS.join(',')}; got "${argv[at + 1] ?? ''}"`);
  return new Set(names as Section[]);
}

async function main(): Promise<void> {
  const only = onlySections(process.argv.slice(2));
  const wanted = (section: Section): boolean => !only || only.has(section);
  const apps = builtExamples();
  if (apps.length === 0) throw new Error('no example app is built (apps/examples/*/build): run "npm run build"');
  const startedAt = new Date();
  const broker = await startMosquitto();
  // Filled in measurement by measurement, in this order (the order of results.json).
  const results: Partial<BenchResults> = {
    when: startedAt.toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
  };
  try {
    if (wanted('latency')) {
      step('command-to-pixel latency');
      results.latency = await measureLatency(broker);
    }
    if (wanted('pipeline')) {
      step('frame pipeline capacity');
      results.pipeline = await measurePipeline(apps);
    }
    if (wanted('serial')) {
      step('serial bytes per frame (10 s of every app)');
      const recorded = new Map<string, Uint8Array[]>();
      results.serial = await measureSerialBytes(apps, { recorded });
      step('serial link (firmware in qemu): frames/s and command-to-device latency');
      results.serial.link = await measureSerialLink(broker.url, { scrollFrames: recorded.get('scroll'), latency: results.latency });
    }
    if (wanted('footprint')) {
      step('footprint');
      results.footprint = await measureFootprint(broker);
    }
    if (wanted('startup')) {
      step('start-up');
      results.startup = await measureStartup(broker);
    }
    if (wanted('screens')) {
      step('screen rendering');
      results.screens = measureScreens();
    }
    if (wanted('groups')) {
      step('display groups (20 bridges on one mosquitto)');
      results.groups = await measureGroups(broker);
    }
    if (wanted('scan-model')) {
      step('panel scan model (the firmware timing model, built for the host)');
      results.scan_model = measureScanModel();
    }
    if (wanted('soak')) {
      step(`soak (${SOAK_MINUTES} min of the soak schedule, serial link cuts in qemu)`);
      const soak = await measureSoak({ minutes: SOAK_MINUTES, serial: true, progress: (line) => process.stderr.write(`bench: soak: ${line}\n`) });
      writeSoakFiles(soak);
      const { samples: _samples, cycle_ends: _ends, ...summary } = soak;
      results.soak = summary;
    }
    if (wanted('arm')) {
      // Its ratios are against the x64 start-up and pipeline of the same run.
      if (!results.startup || !results.pipeline) throw new Error('--only arm needs startup and pipeline too');
      step('start-up and frame pipeline on ARM (arm64, armv7l) under qemu-user');
      results.arm = await measureArm(broker, apps, { startup: results.startup, pipeline: results.pipeline });
    }
    if (wanted('arm-memory')) {
      step('RSS on arm64: the guest pages of the bridge under qemu-user');
      results.arm_memory = await measureArmMemory(broker);
    }
  } catch (e) {
    // What the sections before it measured is kept: a failure in the 25th minute loses only itself.
    results.duration_s = (Date.now() - startedAt.getTime()) / 1000;
    results.failed = e instanceof Error ? e.message : String(e);
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    process.stderr.write(`bench: wrote what was measured before the failure to ${RESULTS}\n`);
    throw e;
  } finally {
    await broker.dispose();
  }
  results.duration_s = (Date.now() - startedAt.getTime()) / 1000;
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  // The tables need every section; a partial run shows what it measured as it is in results.json.
  if (only) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else printTables(results as BenchResults);
  process.stdout.write(`\nwrote ${RESULTS} (${results.duration_s.toFixed(0)} s)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
