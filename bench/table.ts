/** Prints bench results as plain-text tables. */
import { ratio } from './lib/stats';
import type { ArmResult } from './arm';
import type { ArmMemoryResult } from './arm-memory';
import type { FootprintResult, UsageWithRatios } from './footprint';
import type { GroupsResult } from './groups';
import type { BenchResults, SoakSummary } from './run';
import type { ScanModelResult } from './scan-model';
import type { ScreensResult } from './screens';
import type { SerialLinkResult, WarmUp } from './serial-link';
import { isReportedOnly } from './soak';
import { MOMENTS, SHOWN_PHASES, type StartupResult } from './startup';

type Cell = string | number | null | undefined;

const fmt = (v: Cell, digits = 1): string => (v == null ? '-' : typeof v === 'number' ? v.toFixed(digits) : String(v));

function table(title: string, header: string[], rows: Cell[][]): void {
  const all = [header, ...rows.map((r) => r.map((c) => (typeof c === 'string' ? c : fmt(c))))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${all.slice(1).map(line).join('\n')}\n`);
}

export function printTables(r: BenchResults): void {
  const l = r.latency;
  table(
    '1. Command latency (P/cmd/notify -> first byte of its frame on the serial link: the goal; -> first P/display/frame showing it, capped: information), ms',
    ['', 'n', 'p50', 'p99', 'added p50', 'added p99', 'goal: added p99 <=', 'x baseline', 'superseded'],
    [
      ['baseline: publish -> subscribe', String(l.baseline_round_trip.n), l.baseline_round_trip.p50_ms, l.baseline_round_trip.p99_ms, '', '', '', '', ''],
      ...l.rates.map((x) => [
        `published frame: ${x.per_second} command/s`,
        String(x.n),
        x.p50_ms,
        x.p99_ms,
        x.added_p50_ms,
        x.added_p99_ms,
        'info',
        x.ratio_p50,
        String(x.superseded),
      ]),
      ...serialFirstByteRows(r),
    ],
  );

  const p = r.pipeline;
  table(
    `2. Frame pipeline capacity (sandbox -> compositor -> diff -> serial encoder, in-process), median of ${p.rounds} runs`,
    ['app', 'frames/s unthrottled', 'min', 'max', 'x baseline', 'goal', 'CPU ms/frame @30fps', 'x baseline', 'wire B/frame'],
    [
      [
        `baseline: ${p.baseline.app}`,
        p.baseline.unthrottled_fps,
        p.baseline.unthrottled_fps_min,
        p.baseline.unthrottled_fps_max,
        '',
        '',
        fmt(p.baseline.cpu_ms_per_frame_at_30fps, 2),
        '',
        fmt(p.baseline.wire_bytes_per_frame_encoded, 0),
      ],
      ...p.apps.map((a) => [
        a.app,
        a.unthrottled_fps,
        a.unthrottled_fps_min,
        a.unthrottled_fps_max,
        fmt(a.fps_ratio_to_baseline, 2),
        a.goal_fps_ratio == null ? '' : `>= ${a.goal_fps_ratio.toFixed(1)}x ${a.goal_met ? 'met' : 'MISSED'}`,
        fmt(a.cpu_ms_per_frame_at_30fps, 2),
        fmt(a.cpu_ratio_to_baseline, 2),
        fmt(a.wire_bytes_per_frame_encoded, 0),
      ]),
    ],
  );

  const s = r.serial;
  const goal = (a: (typeof s.apps)[number]): string =>
    a.goal_ratio_to_raw == null ? '' : a.ratio_to_raw! <= a.goal_ratio_to_raw ? `<= ${a.goal_ratio_to_raw} met` : `<= ${a.goal_ratio_to_raw} MISSED`;
  const goalPrototype = (a: (typeof s.apps)[number]): string =>
    a.goal_ratio_to_prototype == null
      ? ''
      : a.ratio_to_prototype! <= a.goal_ratio_to_prototype
        ? `<= ${a.goal_ratio_to_prototype} met`
        : `<= ${a.goal_ratio_to_prototype} MISSED`;
  const formats = (a: (typeof s.apps)[number]): string =>
    Object.entries(a.formats ?? {})
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  const depth = s.apps[0]?.depth ?? 8;
  const low = s.apps[0]?.low_depth ?? 6;
  table(
    `3. Serial bytes per frame on the wire (10 s per app; protocol 1.3 device at ${depth} planes; max packet ${s.max_packet} B; raw frame ${s.raw_frame_bytes} B; prototype: the same frames whole, 33 packets; 1.1: the same frames to a 1.1 device, RGB888/RLE888)`,
    [
      'app',
      'frames',
      'B/frame mean',
      'B/frame median',
      'packets/frame',
      'x raw',
      'goal x raw',
      'prototype B/frame',
      'x prototype',
      'goal x prototype',
      '1.1 B/frame',
      `x prototype at ${low} planes`,
      'WRITE_RECT formats (packets)',
      'B/s',
    ],
    s.apps.map((a) => [
      a.app,
      String(a.frames),
      a.bytes_per_frame_mean,
      a.bytes_per_frame_median,
      a.packets_per_frame_median,
      fmt(a.ratio_to_raw, 3),
      goal(a),
      a.prototype_bytes_per_frame_mean,
      fmt(a.ratio_to_prototype, 3),
      goalPrototype(a),
      a.v11_bytes_per_frame_mean,
      fmt(a.low_depth_ratio_to_prototype, 3),
      formats(a),
      a.bytes_per_second,
    ]),
  );

  printFootprint(r.footprint);
  if (r.arm_memory) printArmMemory(r.arm_memory);

  printStartup(r.startup);

  if (s.link) printSerialLink(s.link);
  printScreens(r.screens);
  printGroups(r.groups);
  printScanModel(r.scan_model);
  printSoak(r.soak);
  if (r.arm) printArm(r.arm, r);
}

/** Tables 4 and 4b. */
export function printFootprint(f: FootprintResult): void {
  const cpuX = (x: { cpu_ratio_to_baseline: number | null }): string => (x.cpu_ratio_to_baseline == null ? 'n/a (1)' : fmt(x.cpu_ratio_to_baseline, 2));
  const rssGoal = (x: { rss_goal_mb: number; rss_goal_met: boolean }): string => `<= ${x.rss_goal_mb}: ${x.rss_goal_met ? 'met' : 'not met'}`;
  const bridgeRows: Array<[string, UsageWithRatios, string]> = [
    ['bridge idle (no apps)', f.idle, rssGoal(f.idle)],
    ['bridge idle, embedded broker (aedes, the default install)', f.idle_embedded_broker, rssGoal(f.idle_embedded_broker)],
    [`bridge, ${f.loaded.apps.length} apps rotating`, f.loaded, rssGoal(f.loaded)],
  ];
  table(
    '4. Footprint of the bridge process (/proc)',
    ['', 'CPU ms/s', 'resolution', 'CPU x baseline', 'RSS MB median', 'RSS MB max', 'RSS x baseline', 'RSS goal (issue 20)'],
    [
      [
        `baseline: ${f.baseline.what}`,
        fmt(f.baseline.cpu_ms_per_s, 1),
        fmt(f.baseline.cpu_resolution_ms_per_s, 1),
        '',
        f.baseline.rss_mb_median,
        f.baseline.rss_mb_max,
        '',
        '',
      ],
      ...bridgeRows.map(([what, x, goal]): Cell[] => [
        what,
        fmt(x.cpu_ms_per_s, 1),
        fmt(x.cpu_resolution_ms_per_s, 1),
        cpuX(x),
        x.rss_mb_median,
        x.rss_mb_max,
        fmt(x.rss_ratio_to_baseline, 2),
        goal,
      ]),
    ],
  );
  const note = f.idle.cpu_ratio_note ?? f.loaded.cpu_ratio_note;
  if (note) process.stdout.write(`(1) ${note}; see docs/performance.md, section 4\n`);
  table(
    '4b. Where the resident memory is, MB (/proc/<pid>/smaps, end of each window)',
    ['', 'Node executable (code, built-in JS, ICU data)', 'shared libraries', 'private (JS heaps, malloc, stacks, Wasm)'],
    [[`baseline: ${f.baseline.what}`, f.baseline.memory_map] as const, ...bridgeRows.map(([what, x]) => [what, x.memory_map] as const)].map(
      ([what, m]): Cell[] => [what, fmt(m.node_binary_mb, 1), fmt(m.shared_libraries_mb, 1), fmt(m.private_mb, 1)],
    ),
  );
}

/** Table 4c; also printed by `node bench/dist/arm-memory.js` on its own. */
export function printArmMemory(m: ArmMemoryResult): void {
  const goal = (x: { rss_goal_mb: number; rss_goal_met: boolean }): string => `<= ${x.rss_goal_mb}: ${x.rss_goal_met ? 'met' : 'not met'}`;
  const x64 = m.x64_same_node;
  table(
    `4c. RSS idle / ${m.loaded.apps.length} apps rotating, arm64 (guest pages under qemu-user), MB: the packed bridge on arm64 Node ${m.node}; baseline the same Node release for x64, native, counted the same way`,
    ['', `x64 Node ${x64.node}`, 'arm64', 'x x64', 'goal (issue 20)', 'qemu process RSS', 'arm64 Node executable', 'arm64 private'],
    [
      ['idle (no apps)', x64.idle, m.idle, m.idle_ratio_to_x64] as const,
      [`${m.loaded.apps.length} apps rotating`, x64.loaded, m.loaded, m.loaded_ratio_to_x64] as const,
    ].map(([label, onX64, onArm, ratio]) => [
      label,
      onX64.guest_mb_median,
      onArm.guest_mb_median,
      fmt(ratio, 2),
      goal(onArm),
      onArm.qemu_process_mb,
      onArm.last.guest_node_binary_mb,
      onArm.last.guest_private_mb,
    ]),
  );
  const checks = m.method_check.map((c) => `${c.what} ${fmt(c.native_mb)} native vs ${fmt(c.guest_mb)} MB under qemu-x86_64 (x ${fmt(c.ratio, 3)})`);
  process.stdout.write(
    `method check: ${checks.join(', ')}; pointer compression: arm64 ${m.pointer_compression.arm64 ? 'on' : 'off'}, x64 ${m.pointer_compression.x64 ? 'on' : 'off'}; arm64 rotation settled in ${fmt(m.loaded.settle_s, 0)} s; section ${fmt(m.duration_s, 0)} s\n`,
  );
}

/** Tables 5 and 5b; also printed by `node bench/dist/startup.js` on its own. */
export function printStartup(u: StartupResult): void {
  const d = u.default_run;
  const n = u.npm_start;
  table(
    `5. Start-up, median of ${u.runs} runs, ms`,
    ['', 'ms', 'max', 'x baseline', 'goal'],
    [
      ['baseline: bare Node + mqtt.js publishes a frame', u.baseline_ms_median, '', '', ''],
      [
        'bridge: spawn -> first P/display/frame',
        u.bridge_ms_median,
        u.bridge_ms_max,
        fmt(u.ratio, 2),
        `<= ${u.bridge_goal_ratio}x ${u.bridge_goal_met ? 'met' : 'MISSED'}`,
      ],
      ['bridge: spawn -> first frame the app drew', u.bridge_first_drawn_frame_ms_median, '', '', ''],
      [
        `default run (npm start, first run, ${d.apps_installed} apps installed): spawn -> first P/display/frame`,
        d.first_frame_ms_median,
        d.first_frame_ms_max,
        fmt(d.ratio, 2),
        `slowest <= ${d.goal_ms} ${d.goal_met ? 'met' : 'MISSED'}; <= ${d.ratio_goal}x ${d.ratio_goal_met ? 'met' : 'MISSED'}`,
      ],
      ['default run: spawn -> first frame an app drew', d.first_drawn_frame_ms_median, '', '', ''],
      [
        `npm start as typed (tree already built, first run): -> first P/display/frame`,
        n.first_frame_ms_median,
        n.first_frame_ms_max,
        fmt(n.ratio, 2),
        `slowest <= ${n.goal_ms} ${n.goal_met ? 'met' : 'MISSED'}`,
      ],
    ],
  );
  // What the default run's time went to, as the bridge logged it (debug level): durations, then moments since the spawn.
  table(
    `5b. Default run, phases as the bridge logs them, median of ${d.runs} runs, ms`,
    ['phase', 'ms', 'x baseline'],
    [
      ...[...SHOWN_PHASES, 'other parts'].map((name) => [name, d.phases[name] ?? null, fmt(ratio(d.phases[name], u.baseline_ms_median), 2)]),
      ...MOMENTS.map((name) => [`${name} (since the process started)`, d.phases[name] ?? null, fmt(ratio(d.phases[name], u.baseline_ms_median), 2)]),
    ],
  );
}

/** Table 9; also printed by `node bench/dist/scan-model.js` on its own. */
export function printScanModel(m: ScanModelResult): void {
  table(
    `9. Panel refresh, modelled (${m.board}: row ISR ~${m.row_isr_cycles} cycles, interval floor ${m.row_min_ticks} ticks of ${m.timer_hz / 1e6} MHz), each plane count at the longest plane 0 that keeps ${m.target_refresh_hz} Hz`,
    ['planes', 'plane 0 (ticks)', 'refresh Hz', 'lit %', 'row ISR CPU %', ''],
    m.by_depth.map((d) => [
      String(d.depth),
      String(d.bit0_ticks),
      fmt(d.refresh_hz, 1),
      fmt(d.lit_percent, 1),
      fmt(d.cpu_percent, 1),
      d.depth === m.default.depth ? `default (plane 0 = ${m.default.bit0_ticks}: ${fmt(m.default.refresh_hz, 1)} Hz)` : '',
    ]),
  );
}

/** Table 11; also printed by `node bench/dist/arm.js` on its own. */
export function printArm(a: ArmResult, r: Pick<BenchResults, 'startup' | 'pipeline'>): void {
  const header = ['', 'x64 (this machine)', ...a.targets.flatMap((t) => [`${t.arch} (Node ${t.node})`, 'x x64'])];
  const cells = (x64: number | null, pick: (t: ArmResult['targets'][number]) => [number | null, number | null]): Cell[] => [
    x64,
    ...a.targets.flatMap((t) => {
      const [value, times] = pick(t);
      return [value, fmt(times, 2)];
    }),
  ];
  const x64Fps = new Map(r.pipeline.apps.map((p) => [p.app, p.unthrottled_fps]));
  const apps = a.targets[0]?.pipeline.apps.map((p) => p.app) ?? [];
  table('11. On ARM, emulated by qemu-user on this machine (the packed bridge on npm-packaged Node), medians', header, [
    ['start-up: spawn -> first P/display/frame, ms', ...cells(r.startup.bridge_ms_median, (t) => [t.startup.first_frame_ms_median, t.startup.ratio_to_x64])],
    [
      'start-up: spawn -> first frame the app drew, ms',
      ...cells(r.startup.bridge_first_drawn_frame_ms_median, (t) => [t.startup.first_drawn_frame_ms_median, null]),
    ],
    [
      `pipeline frames/s: baseline ${r.pipeline.baseline.app}`,
      ...cells(r.pipeline.baseline.unthrottled_fps, (t) => [t.pipeline.baseline_fps, t.pipeline.baseline_ratio_to_x64]),
    ],
    ...apps.map((app) => [
      `pipeline frames/s: ${app}`,
      ...cells(x64Fps.get(app) ?? null, (t) => {
        const m = t.pipeline.apps.find((p) => p.app === app);
        return [m?.unthrottled_fps ?? null, m?.ratio_to_x64 ?? null];
      }),
    ]),
  ]);
  const installs = a.targets.map((t) => `${t.arch}: ${t.install_s === null ? 'cached install reused' : `emulated npm install ${t.install_s.toFixed(0)} s`}`);
  process.stdout.write(`(${installs.join('; ')})\n`);
}

/** Table 8; also printed by `node bench/dist/groups.js` on its own. */
export function printGroups(g: GroupsResult): void {
  table(
    `8. Display groups: ${g.displays} bridges on one mosquitto, a notification -> the frame showing it, ms (turn about, ${g.single_display.n + g.group_last_display.n} samples)`,
    ['', 'n', 'p50', 'p99', 'x baseline p50', 'x baseline p99'],
    [
      ["baseline: one display's own P/cmd/notify -> its frame", String(g.single_display.n), g.single_display.p50_ms, g.single_display.p99_ms, '', ''],
      [
        `the group's notify -> the last of ${g.displays} frames`,
        String(g.group_last_display.n),
        g.group_last_display.p50_ms,
        g.group_last_display.p99_ms,
        fmt(g.ratio_p50, 1),
        fmt(g.ratio_p99, 1),
      ],
    ],
  );
  if (g.incomplete > 0) process.stdout.write(`${g.incomplete} sample(s) where a display did not show the notification within the wait were left out\n`);
}

function printScreens(x: ScreensResult): void {
  table(
    `7. Screen rendering (renderScreen, in-process), µs per render, median of ${x.rounds} runs of ${x.ms_per_run} ms`,
    ['screen', 'µs/render', 'min', 'max', 'x baseline'],
    [
      [`baseline: ${x.baseline.what}`, x.baseline.us_per_render, x.baseline.us_per_render_min, x.baseline.us_per_render_max, ''],
      ...x.screens.map((s) => [s.screen, s.us_per_render, s.us_per_render_min, s.us_per_render_max, fmt(s.ratio_to_baseline, 2)]),
    ],
  );
  const met = x.target.met == null ? 'not measured' : x.target.met ? 'met' : 'MISSED';
  process.stdout.write(`goal: "${x.target.screen}" under ${x.target.ms} ms a render: ${met}\n`);
}

/** "5 ms: met" / "5 ms: MISSED"; "5 ms: -" when not measured; "-" at a rate with no goal (200 commands/s). */
const latencyGoal = (ms: number | null | undefined, met: boolean | null | undefined): string =>
  ms == null ? '-' : `${ms} ms: ${met == null ? '-' : met ? 'met' : 'MISSED'}`;

/** Table 1's serial rows: command -> first byte of the frame on the serial link. */
function serialFirstByteRows(r: BenchResults): Cell[][] {
  const c = r.latency.command_to_device ?? r.serial?.link?.command_to_device;
  if (!c) return [['serial: command -> first byte on the link', '', 'not measured', '', '', '', '', '', '']];
  return [
    warmUpRow(c.warm_up),
    ...c.rates.map((x) => [
      `serial: ${x.per_second} command/s -> first byte`,
      String(x.first_byte.n),
      x.first_byte.p50_ms,
      x.first_byte.p99_ms,
      x.first_byte.added_p50_ms,
      x.first_byte.added_p99_ms,
      latencyGoal(x.first_byte.goal_added_p99_ms, x.first_byte.goal_met),
      x.first_byte.ratio_p50_to_mqtt_round_trip,
      String(x.superseded),
    ]),
  ];
}

/** The first commands after the start, apart from the goal figures (WARM_UP in serial-link.ts). */
const warmUpLabel = (w: WarmUp): string =>
  `warm-up: the first ${w.sent} commands, ${w.per_second}/s, no goal (the very first: ${fmt(w.first_command_ms, 1)} ms)`;

function warmUpRow(w: WarmUp): Cell[] {
  return [`serial: ${warmUpLabel(w)}`, String(w.first_byte.n), w.first_byte.p50_ms, w.first_byte.p99_ms, '', '', '-', '', ''];
}

function printSerialLink(k: SerialLinkResult): void {
  table(
    `6a. Serial link frames/s, ${k.transport} (${k.seconds_per_scheme} s per scheme in ${k.rounds} alternating runs, as fast as the link takes them)`,
    ['scheme', 'frames', 'n', 'window', 'frames/s', 'x prototype', 'wire B/frame', 'packets/frame', 'wire B/s', 'resent', 'device in sync'],
    k.rates.map((x) => [
      x.scheme,
      x.content,
      String(x.frames),
      String(x.window),
      x.frames_per_second,
      fmt(x.ratio_to_prototype, 2),
      fmt(x.wire_bytes_per_frame, 0),
      fmt(x.packets_per_frame, 1),
      fmt(x.wire_bytes_per_second, 0),
      String(x.retransmits),
      x.device_in_sync ? 'yes' : 'NO',
    ]),
  );
  const c = k.command_to_device;
  const push = c.baseline_prototype_frame_push;
  table(
    "6b. Command to device (P/cmd/notify on mosquitto -> the frame on the serial link -> the device's ACK of its COMMIT), ms",
    ['', 'n', 'first byte p50', 'p99', 'added p99', 'goal: added p99 <=', 'x MQTT round trip', 'COMMIT acked p50', 'p99', 'x prototype push', 'superseded'],
    [
      ['baseline: MQTT publish -> subscribe (table 1)', '', c.baseline_mqtt_round_trip_p50_ms, c.baseline_mqtt_round_trip_p99_ms, '', '', '', '', '', '', ''],
      ['baseline: prototype pushes one whole frame', String(push?.n), '', '', '', '', '', push?.p50_ms, push?.p99_ms, '', ''],
      [warmUpLabel(c.warm_up), String(c.warm_up.first_byte.n), c.warm_up.first_byte.p50_ms, c.warm_up.first_byte.p99_ms, '', '-', '', '', '', '', ''],
      ...c.rates.map((x) => [
        `${x.per_second} command/s (${x.sent} sent)`,
        String(x.first_byte.n),
        x.first_byte.p50_ms,
        x.first_byte.p99_ms,
        x.first_byte.added_p99_ms,
        latencyGoal(x.first_byte.goal_added_p99_ms, x.first_byte.goal_met),
        fmt(x.first_byte.ratio_p50_to_mqtt_round_trip, 1),
        x.commit_ack.p50_ms,
        x.commit_ack.p99_ms,
        fmt(x.commit_ack.ratio_p50_to_prototype_frame_push, 2),
        String(x.superseded),
      ]),
    ],
  );
}

/** Table 10: the soak's slopes and verdicts (docs/performance.md, section 10). */
export function printSoak(x: SoakSummary): void {
  const rows: Cell[][] = Object.entries(x.trends).map(([name, t]) => {
    const bytes = name.endsWith('Bytes');
    const show = (v: number): string => (bytes ? `${(v / 1024).toFixed(1)} KiB` : v.toFixed(2));
    return [
      name,
      show(t.slope),
      typeof t.second_half_slope === 'number' ? show(t.second_half_slope) : 'n/a',
      show(t.noise),
      show(t.first),
      show(t.last),
      // The whole heap and its code are reported beside the verdicts, not judged (bench/soak.ts).
      isReportedOnly(name) ? 'info' : t.pass ? 'PASS' : 'FAIL',
    ];
  });
  table(
    `10. Soak: ${x.cycles} cycles in ${x.minutes} min, ${x.commands} commands (${x.failures.length} failed); RSS growth without V8's young generation ${(x.rss_growth.growth * 100).toFixed(1)} % (medians of ${x.rss_growth.window} cycle ends at each end; limit ${x.rss_growth.limit * 100} %), RSS ${(x.rss_growth.rss_growth * 100).toFixed(1)} %`,
    ['series (cycle ends, from cycle 1)', 'slope/cycle', 'second half', 'noise', 'first', 'last', 'verdict'],
    rows,
  );
  process.stdout.write(`soak: ${x.pass ? 'PASS' : 'FAIL'}; every sample in bench/soak.json, the chart in bench/soak.svg\n`);
}
