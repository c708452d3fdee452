'use strict';
/**
 * Footprint of the bridge process, read from /proc/<pid>/stat (CPU) and /proc/<pid>/status (RSS):
 * idle (no apps), and with every example app installed and rotating once a second. Baseline: a
 * bare Node process doing nothing, measured the same way.
 */
const { startBridge, builtExamples } = require('./lib/bridge');
const { delay, footprint, start, stop } = require('./lib/processes');
const { median, ratio } = require('./lib/stats');

function summary({ cpuPercent, rss }) {
  return { cpu_percent: cpuPercent, rss_mb_median: median(rss) / 2 ** 20, rss_mb_max: Math.max(...rss) / 2 ** 20 };
}

async function measureFootprint(broker, { settleMs = 2000, idleMs = 4000, loadedMs = 10_000 } = {}) {
  const bare = start(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  let baseline;
  try {
    await delay(settleMs);
    baseline = summary(await footprint(bare.child.pid, idleMs));
  } finally {
    await stop(bare.child);
  }

  const idleBridge = await startBridge({ mqttUrl: broker.url });
  let idle;
  try {
    await delay(settleMs);
    idle = summary(await footprint(idleBridge.pid, idleMs));
  } finally {
    await idleBridge.dispose();
  }

  const apps = builtExamples();
  const busyBridge = await startBridge({ mqttUrl: broker.url, apps, settings: { rotation: { enabled: true, default_duration_ms: 1000 } } });
  let loaded;
  try {
    await delay(settleMs);
    loaded = summary(await footprint(busyBridge.pid, loadedMs));
  } finally {
    await busyBridge.dispose();
  }
  const withRatios = (s) => ({ ...s, rss_ratio_to_baseline: ratio(s.rss_mb_median, baseline.rss_mb_median) });
  return { baseline: { what: 'bare Node process', ...baseline }, idle: withRatios(idle), loaded: { apps, ...withRatios(loaded) } };
}

module.exports = { measureFootprint };
