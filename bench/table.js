'use strict';
/** Prints bench results as plain-text tables. */

const fmt = (v, digits = 1) => (v == null ? '-' : typeof v === 'number' ? v.toFixed(digits) : String(v));

function table(title, header, rows) {
  const all = [header, ...rows.map((r) => r.map((c) => (typeof c === 'string' ? c : fmt(c))))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${all.slice(1).map(line).join('\n')}\n`);
}

function printTables(r) {
  const l = r.latency;
  table('1. Command-to-pixel latency (P/cmd/notify -> first P/display/frame showing it), ms', ['', 'n', 'p50', 'p99', 'added p50', 'x baseline', 'superseded'], [
    ['baseline: publish -> subscribe', String(l.baseline_round_trip.n), l.baseline_round_trip.p50_ms, l.baseline_round_trip.p99_ms, '', '', ''],
    ...l.rates.map((x) => [`${x.per_second} command/s`, String(x.n), x.p50_ms, x.p99_ms, x.added_p50_ms, x.ratio_p50, String(x.superseded)]),
    ['serial: command -> first byte', '', l.serial_first_byte?.p50_ms, l.serial_first_byte?.p99_ms, '', '', ''],
  ]);

  const p = r.pipeline;
  table('2. Frame pipeline capacity (sandbox -> compositor -> diff, in-process)', ['app', 'frames/s unthrottled', 'x baseline', 'CPU ms/frame @30fps', 'x baseline'], [
    [`baseline: ${p.baseline.app}`, p.baseline.unthrottled_fps, '', fmt(p.baseline.cpu_ms_per_frame_at_30fps, 2), ''],
    ...p.apps.map((a) => [a.app, a.unthrottled_fps, fmt(a.fps_ratio_to_baseline, 2), fmt(a.cpu_ms_per_frame_at_30fps, 2), fmt(a.cpu_ratio_to_baseline, 2)]),
  ]);

  const s = r.serial;
  table(`3. Serial bytes per frame (10 s per app; max packet ${s.max_packet} B; raw frame ${s.raw_frame_bytes} B; original Megabit ~${s.original.bytes_per_frame} B and ${s.original.round_trips_per_frame} round trips)`,
    ['app', 'frames', 'B/frame mean', 'B/frame median', 'packets/frame', 'x raw', 'x original', 'B/s'],
    s.apps.map((a) => [a.app, String(a.frames), a.bytes_per_frame_mean, a.bytes_per_frame_median, a.packets_per_frame_median, fmt(a.ratio_to_raw, 3), fmt(a.ratio_to_original, 3), a.bytes_per_second]));
  if (!s.link) process.stdout.write('(over a real serial link: not measured yet, see docs/performance.md)\n');

  const f = r.footprint;
  table('4. Footprint of the bridge process (/proc)', ['', 'CPU % of a core', 'RSS MB median', 'RSS MB max', 'RSS x baseline'], [
    [`baseline: ${f.baseline.what}`, fmt(f.baseline.cpu_percent, 2), f.baseline.rss_mb_median, f.baseline.rss_mb_max, ''],
    ['bridge idle (no apps)', fmt(f.idle.cpu_percent, 2), f.idle.rss_mb_median, f.idle.rss_mb_max, fmt(f.idle.rss_ratio_to_baseline, 2)],
    [`bridge, ${f.loaded.apps.length} apps rotating`, fmt(f.loaded.cpu_percent, 2), f.loaded.rss_mb_median, f.loaded.rss_mb_max, fmt(f.loaded.rss_ratio_to_baseline, 2)],
  ]);

  const u = r.startup;
  table(`5. Start-up, median of ${u.runs} runs, ms`, ['', 'ms', 'x baseline'], [
    ['baseline: bare Node + mqtt.js publishes a frame', u.baseline_ms_median, ''],
    ['bridge: spawn -> first P/display/frame', u.bridge_ms_median, fmt(u.ratio, 2)],
    ['bridge: spawn -> first frame the app drew', u.bridge_first_drawn_frame_ms_median, ''],
  ]);
}

module.exports = { printTables };
