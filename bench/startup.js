'use strict';
/**
 * Start-up: from spawning `node bridge/dist/cli.js` to the first `P/display/frame` on the broker
 * (clock app installed), and to the first frame the app drew. Baseline: spawning a bare Node
 * script that loads mqtt.js, connects to the same broker and publishes one 6144-byte frame.
 */
const mqtt = require('mqtt');
const { startBridge } = require('./lib/bridge');
const { start, stop } = require('./lib/processes');
const { median, ratio } = require('./lib/stats');

const BARE_PUBLISHER = `
const mqtt = require('mqtt');
const [url, topic] = process.argv.slice(1);
const c = mqtt.connect(url, { protocolVersion: 4 });
c.on('connect', () => c.publish(topic, Buffer.alloc(6144), { retain: false }, () => c.end()));
`;

/**
 * Spawns via `spawnIt`; resolves with ms from spawn to the first message on `topic` and to the
 * first one whose payload satisfies `lit` (null when no such one came).
 */
async function timeToFirstMessage(client, topic, spawnIt, lit = () => true) {
  await client.subscribeAsync(topic, { qos: 0 });
  let first;
  let firstLit;
  const arrived = new Promise((resolve) => {
    const onMessage = (t, payload) => {
      if (t !== topic) return;
      first ??= performance.now();
      if (!lit(payload)) return;
      firstLit = performance.now();
      client.off('message', onMessage);
      resolve();
    };
    client.on('message', onMessage);
  });
  const { startedAt, dispose } = await spawnIt();
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message on ${topic} within 30 s`)), 30_000);
    });
    await Promise.race([arrived, timeout]);
    return { first: first - startedAt, lit: firstLit - startedAt };
  } finally {
    clearTimeout(timer);
    await client.unsubscribeAsync(topic);
    await dispose();
  }
}

const isLit = (frame) => frame.some((byte) => byte !== 0);

async function measureStartup(broker, { runs = 5 } = {}) {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    const bare = [];
    const bridge = [];
    const bridgeLit = [];
    for (let run = 0; run < runs; run++) {
      // A device id per run: no retained frame of an earlier run can answer for this one.
      const deviceId = `bench-start-${process.pid}-${run}`;
      const topic = `megabit/${deviceId}/display/frame`;
      const times = await timeToFirstMessage(client, topic, async () => {
        const b = await startBridge({ mqttUrl: broker.url, deviceId, apps: ['clock'], waitReady: false });
        return { startedAt: b.startedAt, dispose: () => b.dispose() };
      }, isLit);
      bridge.push(times.first);
      bridgeLit.push(times.lit);
      // The bridge left its frame retained: clear it so the broker stays small.
      await client.publishAsync(topic, '', { retain: true });
      const bareTopic = `megabit-bench/bare-${run}`;
      bare.push((await timeToFirstMessage(client, bareTopic, async () => {
        const startedAt = performance.now();
        const p = start(process.execPath, ['-e', BARE_PUBLISHER, broker.url, bareTopic], { cwd: __dirname });
        return { startedAt, dispose: () => stop(p.child) };
      })).first);
    }
    return {
      runs,
      bridge_ms_median: median(bridge),
      bridge_ms_max: Math.max(...bridge),
      // The first frame is the compositor's blank one; this is the first the clock app drew.
      bridge_first_drawn_frame_ms_median: median(bridgeLit),
      baseline_ms_median: median(bare),
      ratio: ratio(median(bridge), median(bare)),
    };
  } finally {
    await client.endAsync(true);
  }
}

module.exports = { measureStartup };
