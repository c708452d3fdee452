/**
 * The soak run (issue 21): the real bridge with its example apps on mosquitto and the firmware in
 * qemu, put through the soak schedule (lib/soak-schedule.ts) plus a serial link cut per cycle,
 * again and again for N minutes. It samples the bridge's memory and counts over its IPC channel,
 * writes every sample to bench/soak.json and a chart of each series to bench/soak.svg, and ends
 * with the verdicts: after the first cycle, heap after GC without its compiled code and every
 * count grow by less than their noise per cycle, and RSS without V8's young generation by at most
 * 5 % over the run (medians of the cycle ends at each end, so one reading's swing decides nothing)
 * (docs/performance.md, section 10).
 *
 *   npm run soak -- --minutes 60        build, then soak for an hour
 *   node bench/dist/soak.js --minutes 5 --no-serial
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type DisplayLinkState, DeviceTopics, OUT } from '@megabit/contract';
import type { ResourceCounts } from 'megabit-bridge';
import { builtExamples, startBridge } from './lib/bridge';
import { startMosquitto } from './lib/mosquitto';
import { BENCH_DIR, EXAMPLES } from './lib/paths';
import { delay } from './lib/processes';
import { startQemuLink, type QemuLink } from './lib/qemu-link';
import { soakChartSvg } from './lib/soak-chart';
import { EXACT_COUNTS, settledCounts } from './lib/soak-counts';
import { RESTING_APP, runSoakCycle, SoakClient, type SoakTarget } from './lib/soak-schedule';
import { growsBelowNoise, rssVerdict, type Trend, trend } from './lib/soak-stats';

export interface SoakOptions {
  /** How long to go on: cycles start until this many minutes have passed (at least MIN_CYCLES cycles). */
  minutes: number;
  /** Exactly this many cycles instead, cycle 0 (the warm-up) included (the leak test: bench/test/leaks.test.ts). */
  cycles?: number;
  /** Cut the serial link to the firmware in qemu once a cycle (needs qemu, socat, the ARM toolchain). */
  serial: boolean;
  /** How often the background sampler reads the counts (after a forced GC). */
  sampleMs?: number;
  progress?: (line: string) => void;
}

/** One reading: the bridge's counts at `t_s` seconds into the run. */
export interface SoakSample extends ResourceCounts {
  t_s: number;
  cycle: number;
}

/**
 * The series the verdicts are about, as named in soak.json. The heap is judged without its
 * compiled code: the JIT keeps compiling for many minutes (a heap snapshot diff of a 2-minute run
 * put 94 % of the heap's growth in code), so a short run's whole heap rises with no leak at all.
 * The compiled app modules too: the schedule removes an app and installs it twice every cycle,
 * new bytes each time, and the sandbox must keep one module for it, not one per install (a leak
 * would rise to the cache's bounds, 32 modules or 32 MiB, and hold there).
 */
const SERIES = ['heapDataBytes', ...EXACT_COUNTS, 'compiledModules', 'compiledModuleBytes'] as const;
/** Trends reported beside the verdicts, not part of them: RSS itself, the whole heap and its parts, Buffers. */
export const REPORTED = [
  'rssBytes',
  'heapUsedBytes',
  'heapCodeBytes',
  'heapResidentBytes',
  'arrayBuffersBytes',
  'youngGenerationBytes',
  'youngGenerationResidentBytes',
] as const;
type Series = (typeof SERIES)[number] | (typeof REPORTED)[number] | 'rssWithoutYoungGenerationBytes';
/** Whether a trend is one of those: shown as "info", never as PASS/FAIL. */
export const isReportedOnly = (name: string): boolean => (REPORTED as readonly string[]).includes(name);

export interface SoakResult {
  when: string;
  machine: { cpus: number; cpu: string; node: string };
  minutes: number;
  serial: boolean;
  cycles: number;
  commands: number;
  failures: string[];
  /** Per series, over the cycle ends from the first on (cycle 0 warms up): slope per cycle, noise, pass. */
  trends: Partial<Record<Series, Trend & { pass: boolean; second_half_slope: number | null }>>;
  /** RSS without V8's young generation over the run, from a median of the cycle ends at each end (lib/soak-stats.ts), raw RSS beside it. */
  rss_growth: ReturnType<typeof rssVerdict>;
  pass: boolean;
  cycle_ends: SoakSample[];
  samples: SoakSample[];
}

const CHURN_APP = 'life';
/** The warm-up and two measured cycles: the fewest a trend can be drawn through. */
export const MIN_CYCLES = 3;

export async function measureSoak(options: SoakOptions): Promise<SoakResult> {
  const progress = options.progress ?? ((line: string) => process.stderr.write(`soak: ${line}\n`));
  if (options.cycles !== undefined && (!Number.isInteger(options.cycles) || options.cycles < MIN_CYCLES)) {
    throw new Error(`a soak needs at least ${MIN_CYCLES} cycles, not ${options.cycles}`);
  }
  const apps = builtExamples();
  for (const needed of [RESTING_APP, CHURN_APP, 'board', 'sensor']) {
    if (!apps.includes(needed)) throw new Error(`example app "${needed}" is not built: run "npm run build"`);
  }
  const broker = await startMosquitto();
  let link: QemuLink | undefined;
  let bridge: Awaited<ReturnType<typeof startBridge>> | undefined;
  let client: SoakClient | undefined;
  const startedAt = new Date();
  try {
    if (options.serial) {
      link = await startQemuLink();
      await link.attach();
    }
    bridge = await startBridge({
      mqttUrl: broker.url,
      apps,
      diagnostics: true,
      settings: {
        rotation: { enabled: true, default_duration_ms: 1000, fallback: RESTING_APP },
        ...(link ? { serial: { path: link.ptyPath } } : {}),
      },
    });
    const running = bridge;
    const topics = new DeviceTopics('megabit', 'megabit');
    client = await SoakClient.connect(broker.url, topics);
    const soakClient = client;
    await soakClient.client.subscribeAsync(topics.out(OUT.stateDisplay), { qos: 1 });
    const target: SoakTarget = {
      brokerUrl: broker.url,
      topics,
      httpUrl: running.httpUrl,
      churnApp: churnInstall(),
      restartBroker: () => broker.restart(200),
      ...(link ? { cutSerialLink: () => cutSerialLink(link!, soakClient, topics) } : {}),
    };

    const t0 = performance.now();
    const seconds = (): number => (performance.now() - t0) / 1000;
    const samples: SoakSample[] = [];
    const cycleEnds: SoakSample[] = [];
    let cycle = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ ...(await running.counts(true)), t_s: seconds(), cycle });
        await delay(options.sampleMs ?? 5000);
      }
    })();

    let commands = 0;
    const failures: string[] = [];
    try {
      const done = (): boolean => (options.cycles !== undefined ? cycle >= options.cycles : seconds() >= options.minutes * 60 && cycle >= MIN_CYCLES);
      while (!done()) {
        const report = await runSoakCycle(target, soakClient, cycle);
        commands += report.commands;
        failures.push(...report.failures);
        const end = { ...(await settledCounts((gc) => running.counts(gc))), t_s: seconds(), cycle };
        cycleEnds.push(end);
        progress(
          `cycle ${cycle} done at ${(end.t_s / 60).toFixed(1)}${options.cycles === undefined ? `/${options.minutes}` : ''} min: RSS ${mb(end.rssBytes)}, heap after GC ${mb(end.heapDataBytes)} + ${mb(end.heapCodeBytes)} code, heap in RAM ${mb(end.heapResidentBytes)} (young generation ${mb(end.youngGenerationResidentBytes)} of ${mb(end.youngGenerationBytes)}), Buffers ${mb(end.arrayBuffersBytes)}, ` +
            `fds ${end.fds}, handles ${end.handles}, timers ${end.timers}, listeners ${end.busListeners}/${end.mqttClientListeners}/${end.mqttHandlers}, workers ${end.workers} (${end.workersStarted} started), compiled modules ${end.compiledModules} (${mb(end.compiledModuleBytes)})` +
            (report.failures.length ? `, ${report.failures.length} failed commands` : ''),
        );
        cycle++;
      }
    } finally {
      sampling = false;
      await sampler.catch(() => undefined);
    }

    const measured = cycleEnds.slice(1);
    const trends: SoakResult['trends'] = {};
    // The second half's slope alone, for reading: a warming cache flattens there, a leak does not.
    const secondHalf = (values: number[]): number | null => (values.length >= 6 ? trend(values.slice(Math.floor(values.length / 2))).slope : null);
    for (const name of [...SERIES, ...REPORTED.filter((name) => name !== 'rssBytes')]) {
      const values = measured.map((s) => s[name]);
      const t = trend(values);
      trends[name] = { ...t, pass: growsBelowNoise(t), second_half_slope: secondHalf(values) };
    }
    // RSS without the young generation, which V8 sizes for the load up to its maximum (lib/soak-stats.ts).
    const rssGrowth = rssVerdict(measured);
    const outside = measured.map((s) => s.rssBytes - s.youngGenerationResidentBytes);
    trends.rssWithoutYoungGenerationBytes = { ...trend(outside), pass: rssGrowth.pass, second_half_slope: secondHalf(outside) };
    const rss = measured.map((s) => s.rssBytes);
    trends.rssBytes = { ...trend(rss), pass: true, second_half_slope: secondHalf(rss) };
    const pass = failures.length === 0 && rssGrowth.pass && SERIES.every((name) => trends[name]?.pass);
    return {
      when: startedAt.toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
      minutes: options.minutes,
      serial: options.serial,
      cycles: cycleEnds.length,
      commands,
      failures,
      trends,
      rss_growth: rssGrowth,
      pass,
      cycle_ends: cycleEnds,
      samples,
    };
  } finally {
    await client?.close().catch(() => undefined);
    await bridge?.dispose();
    await link?.dispose();
    await broker.dispose();
  }
}

/** The churned app as `P/cmd/apps/install` takes it. */
function churnInstall(): SoakTarget['churnApp'] {
  const build = join(EXAMPLES, CHURN_APP, 'build');
  const manifest = JSON.parse(readFileSync(join(build, 'manifest.json'), 'utf8')) as SoakTarget['churnApp']['manifest'];
  return { manifest, wasm: readFileSync(join(build, String(manifest.bin))).toString('base64') };
}

/** The pty taken away and given back (socat restarted): the bridge must see the link go and come back. */
async function cutSerialLink(link: QemuLink, client: SoakClient, topics: DeviceTopics): Promise<void> {
  let sawDown = false;
  const back = client.next(
    topics.out(OUT.stateDisplay),
    (payload) => {
      const state = JSON.parse(payload.toString()) as DisplayLinkState;
      if (!state.connected) sawDown = true;
      return sawDown && state.connected;
    },
    30_000,
  );
  await link.attach();
  await back;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The verdict lines printed at the end of a soak run. */
export function soakVerdict(result: SoakResult): string[] {
  const lines = [`soak: ${result.cycles} cycles in ${result.minutes} min (${result.commands} commands, ${result.failures.length} failed); cycle 0 warms up`];
  for (const [name, t] of Object.entries(result.trends)) {
    if (!t) continue;
    const bytes = name.endsWith('Bytes');
    const show = (v: number): string => (bytes ? `${(v / 1024).toFixed(1)} KiB` : v.toFixed(2));
    lines.push(
      `  ${isReportedOnly(name) ? 'info' : t.pass ? 'PASS' : 'FAIL'} ${name.padEnd(20)} slope ${show(t.slope)}/cycle (second half ${t.second_half_slope === null ? 'n/a' : show(t.second_half_slope)}), noise ${show(t.noise)}, ${show(t.first)} -> ${show(t.last)}` +
        (name === 'rssWithoutYoungGenerationBytes'
          ? ` (growth over the run ${(result.rss_growth.growth * 100).toFixed(1)} % from the medians of the first and last ${result.rss_growth.window} cycle ends, ${mb(result.rss_growth.first)} -> ${mb(result.rss_growth.last)}; limit ${result.rss_growth.limit * 100} %)`
          : name === 'rssBytes'
            ? ` (growth ${(result.rss_growth.rss_growth * 100).toFixed(1)} %, young generation in RAM ${mb(result.rss_growth.young_generation_first)} -> ${mb(result.rss_growth.young_generation_last)})`
            : ''),
    );
  }
  lines.push(result.pass ? 'soak: PASS' : 'soak: FAIL');
  return lines;
}

/** Writes soak.json and soak.svg beside the bench; returns their paths. */
export function writeSoakFiles(result: SoakResult, dir = BENCH_DIR): { json: string; svg: string } {
  const json = join(dir, 'soak.json');
  const svg = join(dir, 'soak.svg');
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  const minutes = (s: SoakSample): number => s.t_s / 60;
  const value = (s: SoakSample, name: keyof ResourceCounts | 'rssWithoutYoungGenerationBytes'): number =>
    name === 'rssWithoutYoungGenerationBytes' ? s.rssBytes - s.youngGenerationResidentBytes : Number(s[name]);
  const chart = (name: keyof ResourceCounts | 'rssWithoutYoungGenerationBytes', unit: string, scale = 1) => ({
    name,
    unit,
    points: result.samples.map((s) => [minutes(s), value(s, name) / scale] as [number, number]),
    cycleEnds: result.cycle_ends.map((s) => [minutes(s), value(s, name) / scale] as [number, number]),
  });
  const MiB = 1024 * 1024;
  writeFileSync(
    svg,
    soakChartSvg(`megabit soak ${result.when}: ${result.cycles} cycles, ${result.pass ? 'PASS' : 'FAIL'} (dots: cycle ends)`, [
      chart('rssBytes', 'MiB', MiB),
      chart('heapUsedBytes', 'MiB of heap after GC', MiB),
      chart('rssWithoutYoungGenerationBytes', "MiB of RSS without V8's young generation", MiB),
      chart('heapDataBytes', 'MiB of heap after GC, code left out', MiB),
      chart('heapCodeBytes', 'MiB of compiled code in the heap', MiB),
      chart('arrayBuffersBytes', 'MiB of Buffers outside the heap, after GC', MiB),
      chart('heapResidentBytes', 'MiB of V8 heap in RAM', MiB),
      chart('youngGenerationBytes', "MiB of V8's young generation (its size)", MiB),
      chart('youngGenerationResidentBytes', "MiB of V8's young generation in RAM", MiB),
      chart('fds', 'open descriptors'),
      chart('handles', 'active handles'),
      chart('timers', 'pending timers'),
      chart('busListeners', 'bus listeners'),
      chart('mqttClientListeners', 'MQTT client listeners'),
      chart('mqttHandlers', 'MQTT handlers'),
      chart('workers', 'app workers'),
      chart('compiledModules', 'compiled app modules kept'),
      chart('compiledModuleBytes', 'MiB of Wasm kept compiled', MiB),
    ]),
  );
  return { json, svg };
}

function parseArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = { minutes: 10, serial: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--minutes' || arg.startsWith('--minutes=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      const minutes = Number(value);
      if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes needs a positive number, not "${value}"`);
      options.minutes = minutes;
    } else if (arg === '--no-serial') options.serial = false;
    else throw new Error(`unknown argument "${arg}" (use --minutes N, --no-serial)`);
  }
  return options;
}

if (require.main === module) {
  (async () => {
    const options = parseArgs(process.argv.slice(2));
    process.stderr.write(`soak: ${options.minutes} min${options.serial ? ', with serial link cuts (qemu)' : ''}; progress after each cycle\n`);
    const result = await measureSoak(options);
    const files = writeSoakFiles(result);
    for (const line of soakVerdict(result)) process.stdout.write(`${line}\n`);
    process.stdout.write(`wrote ${files.json} and ${files.svg}\n`);
    process.exit(result.pass ? 0 : 1);
  })().catch((e: Error) => {
    process.stderr.write(`soak: ${e.stack ?? String(e)}\n`);
    process.exit(2);
  });
}
