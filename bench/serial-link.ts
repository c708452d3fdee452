'use strict';
/**
 * The serial link with the real firmware in qemu behind a pty (docs/performance.md §6):
 * - frames/s the link sustains: our scheme (FrameSync + LinkSession, the pieces SerialOutput
 *   runs: changed rectangles, packets up to max_packet, the device's window) against the
 *   prototype's (every frame whole, 33 packets stop-and-wait), on random frames that defeat any
 *   delta and on the recorded frames of a typical app;
 * - command → device: the real bridge with `serial.path` on the pty, a byte proxy on the line;
 *   P/cmd/notify published on mosquitto → first byte of the frame showing it on the wire, and
 *   → the device's ACK of that frame's COMMIT.
 */
const { randomFillSync } = require('node:crypto');
const { FRAME_BYTES, DISPLAY_WIDTH } = require('../contract/dist');
const { FrameSync } = require('../bridge/dist/serial/frame-sync');
const { LinkSession } = require('../bridge/dist/serial/link-session');
const { openSerialChannel } = require('../bridge/dist/serial/port-opener');
const { decodeMessage, MAX_PACKET, PacketParser, PixelFormat } = require('../bridge/dist/serial/protocol');
const { bandColours, colourOf, connect, hex, keyOf, summary } = require('./latency');
const { startBridge } = require('./lib/bridge');
const { delay, waitFor } = require('./lib/processes');
const { prototypeFrameCrc, prototypeMessages, StopAndWait } = require('./lib/prototype-scheme');
const { startQemuLink } = require('./lib/qemu-link');
const { median, percentile, ratio } = require('./lib/stats');

const P = 'megabit/megabit';

function randomFrames() {
  return () => randomFillSync(new Uint8Array(FRAME_BYTES));
}

function replay(frames) {
  let i = 0;
  return () => frames[i++ % frames.length];
}

/** The port as the bridge opens it, counting the bytes written to it. */
async function openCounted(ptyPath) {
  const opened = await openSerialChannel(ptyPath);
  const port = opened.channel;
  const counted = {
    bytes: 0,
    write(data) {
      counted.bytes += data.length;
      return port.write(data);
    },
    get writableLength() {
      return port.writableLength;
    },
    on: (event, listener) => port.on(event, listener),
    off: (event, listener) => port.off(event, listener),
  };
  return { opened, channel: counted };
}

function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Our scheme as fast as the link takes it: a new frame whenever the last one is on its way. */
async function ourRate(ptyPath, nextFrame, durationMs) {
  const { opened, channel } = await openCounted(ptyPath);
  const acks = [];
  const sync = new FrameSync(() => acks.push(performance.now()));
  let feeding = true;
  let session;
  let onStatus = () => undefined;
  try {
    const info = await within(new Promise((resolve) => {
      session = new LinkSession(channel, {
        handlers: {
          open: (device) => {
            sync.restart();
            resolve(device);
          },
          progress: () => feed(),
          status: (m) => onStatus(m),
        },
      });
      session.start();
    }), 10_000, 'no HELLO_REPLY');
    function feed() {
      if (!session.isOpen) return;
      if (feeding && session.queued === 0) sync.show(nextFrame());
      sync.pump(session, MAX_PACKET);
    }
    const packetsBefore = session.packetsSent;
    feed();
    // The first frame's acknowledgement starts the clock: the session and pipeline are up.
    await waitFor(() => acks.length > 0, 'the first frame acknowledged', 10_000);
    const t0 = acks[0];
    const bytes0 = channel.bytes;
    await delay(durationMs);
    feeding = false;
    const t1 = performance.now();
    const bytes = channel.bytes - bytes0;
    const frames = acks.filter((t) => t > t0 && t <= t1).length;
    await waitFor(() => session.queued + session.unacknowledged === 0, 'the last frames acknowledged', 10_000);
    const status = new Promise((resolve) => (onStatus = resolve));
    session.send({ name: 'GET_STATUS', seq: 0 });
    const inSync = sync.matches(await within(status, 5000, 'no STATUS'));
    return {
      window: info.window,
      frames,
      seconds: (t1 - t0) / 1000,
      bytes,
      packetsPerFrame: (session.packetsSent - packetsBefore) / sync.framesSent,
      retransmits: session.retransmits,
      inSync,
    };
  } finally {
    session?.close();
    await opened.close();
  }
}

/** The prototype's scheme for `durationMs`; also the time each whole frame took. */
async function prototypeRate(ptyPath, nextFrame, durationMs) {
  const { opened, channel } = await openCounted(ptyPath);
  const sender = new StopAndWait(channel);
  try {
    await sender.hello();
    const pushTimes = [];
    let frameId = 1;
    let last;
    const t0 = performance.now();
    const bytes0 = channel.bytes;
    while (performance.now() - t0 < durationMs) {
      last = nextFrame();
      const began = performance.now();
      await sender.sendFrame(last, frameId++);
      pushTimes.push(performance.now() - began);
    }
    const seconds = (performance.now() - t0) / 1000;
    const bytes = channel.bytes - bytes0;
    const status = await within(sender.status(), 5000, 'no STATUS');
    return {
      window: 1,
      frames: pushTimes.length,
      seconds,
      bytes,
      packetsPerFrame: prototypeMessages(last, 1).length,
      retransmits: sender.retransmits,
      inSync: status.frameId === frameId - 1 && status.frameCrc === prototypeFrameCrc(last),
      pushTimes,
    };
  } finally {
    sender.close();
    await opened.close();
  }
}

/** Writes a WRITE_RECT into a shadow of the device's draw buffer (docs/serial-protocol.md §5). */
function applyRect(buffer, m) {
  const put = (n, r, g, b) => {
    const x = m.x + (n % m.w);
    const y = m.y + Math.floor(n / m.w);
    const i = (y * DISPLAY_WIDTH + x) * 3;
    buffer[i] = r;
    buffer[i + 1] = g;
    buffer[i + 2] = b;
  };
  const p = m.pixels;
  if (m.format === PixelFormat.RGB888) {
    for (let n = 0; n < m.w * m.h; n++) put(n, p[n * 3], p[n * 3 + 1], p[n * 3 + 2]);
  } else if (m.format === PixelFormat.RLE888) {
    let n = 0;
    for (let i = 0; i + 3 < p.length; i += 4) for (let k = 0; k < p[i]; k++) put(n++, p[i + 1], p[i + 2], p[i + 3]);
  } else if (m.format === PixelFormat.RGB565) {
    for (let n = 0; n < m.w * m.h; n++) {
      const v = p[n * 2] | (p[n * 2 + 1] << 8);
      const r = v >> 11;
      const g = (v >> 5) & 0x3f;
      const b = v & 0x1f;
      put(n, (r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2));
    }
  }
}

/** Packets of one direction with the arrival time of each one's first byte. */
function packetStream(onMessage) {
  const parser = new PacketParser();
  let startedAt;
  return (chunk, t) => {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0) {
        startedAt ??= t;
        continue;
      }
      for (const event of parser.push(chunk.subarray(from, i + 1))) {
        if (event.kind !== 'packet') continue;
        const decoded = decodeMessage(event.packet);
        if (decoded.ok) onMessage(decoded.message, startedAt ?? t, t);
      }
      from = i + 1;
      startedAt = undefined;
    }
    if (from < chunk.length) parser.push(chunk.subarray(from));
  };
}

/**
 * Watches the line for the notifications in `pending` (colour key -> sample): a frame showing
 * one (its colour in the notification band of the device's draw buffer at COMMIT) gives the
 * sample its first-byte time, the device's ACK past that COMMIT its acknowledgement time.
 */
function lineWatcher() {
  const shadow = new Uint8Array(FRAME_BYTES);
  const pending = new Map();
  const awaitingAck = [];
  const watcher = { pending, samples: [], superseded: 0, sessions: 0, retransmitted: 0 };
  let lastSeq;
  let frameStartedAt;
  const fresh = (seq) => lastSeq === undefined || ((seq - lastSeq) & 0xffff) - 1 < 0x7fff;
  watcher.toDevice = packetStream((m, startedAt) => {
    if (m.name === 'HELLO') {
      lastSeq = undefined;
      frameStartedAt = undefined;
      return;
    }
    if (m.name !== 'WRITE_RECT' && m.name !== 'COMMIT') return;
    if (!fresh(m.seq)) {
      watcher.retransmitted++;
      return;
    }
    if (lastSeq === undefined) watcher.sessions++;
    lastSeq = m.seq;
    if (m.name === 'WRITE_RECT') {
      frameStartedAt ??= startedAt;
      applyRect(shadow, m);
      return;
    }
    const firstByteAt = frameStartedAt ?? startedAt;
    frameStartedAt = undefined;
    for (const key of bandColours(shadow)) {
      const sample = pending.get(key);
      if (!sample) continue;
      sample.firstByteMs = firstByteAt - sample.sentAt;
      sample.commitSeq = m.seq;
      watcher.samples.push(sample);
      awaitingAck.push(sample);
      // Anything sent before it was replaced before a frame could show it.
      for (const [k, s] of pending) {
        if (s.index <= sample.index) {
          if (s.index < sample.index) watcher.superseded++;
          pending.delete(k);
        }
      }
    }
  });
  watcher.toHost = packetStream((m, startedAt) => {
    if (m.name !== 'DEV_ACK' && m.name !== 'DEV_NACK') return;
    for (let i = awaitingAck.length - 1; i >= 0; i--) {
      const s = awaitingAck[i];
      // ACK(next) covers every packet before `next`.
      if (((m.next - s.commitSeq - 1) & 0xffff) >= 0x8000) continue;
      s.ackMs = startedAt - s.sentAt;
      awaitingAck.splice(i, 1);
    }
  });
  return watcher;
}

async function commandsToDevice(client, watcher, perSecond, count, firstIndex) {
  const from = watcher.samples.length;
  const supersededBefore = watcher.superseded;
  const start = performance.now();
  for (let n = 0; n < count; n++) {
    // At a random moment of its 1/perSecond slot: a fixed beat would keep the same phase against
    // the bridge's own once-a-second work (clock tick, PNG snapshot) and measure only that phase.
    const wait = start + ((n + Math.random()) * 1000) / perSecond - performance.now();
    if (wait > 0) await delay(wait);
    const index = firstIndex + n;
    const rgb = colourOf(index);
    watcher.pending.set(keyOf(...rgb), { index, sentAt: performance.now() });
    client.publish(`${P}/cmd/notify`, JSON.stringify({ text: `n${index}`, id: 'bench', color: hex(rgb), duration_ms: 60_000 }), { qos: 1 });
  }
  await delay(1000);
  const samples = watcher.samples.slice(from);
  const superseded = watcher.superseded - supersededBefore + watcher.pending.size;
  watcher.pending.clear();
  const acked = samples.filter((s) => s.ackMs !== undefined);
  // A link that broke mid-run would otherwise leave a few lucky samples looking like a result.
  if (samples.length === 0 || acked.length < samples.length || (perSecond === 1 && samples.length < count)) {
    throw new Error(`at ${perSecond} command/s, ${samples.length} of ${count} commands reached the device in a frame and ${acked.length} of those were acknowledged: the serial link failed`);
  }
  return {
    per_second: perSecond,
    sent: count,
    superseded,
    first_byte: summary(samples.map((s) => s.firstByteMs)),
    commit_ack: summary(acked.map((s) => s.ackMs)),
  };
}

async function commandLatency(link, brokerUrl, { slowCount, fastCount }) {
  const watcher = lineWatcher();
  await link.attach({ tap: watcher });
  const bridge = await startBridge({
    mqttUrl: brokerUrl,
    apps: ['clock'],
    settings: { rotation: { enabled: false }, serial: { path: link.ptyPath } },
  });
  let client;
  try {
    await waitFor(() => bridge.output().includes('display connected'), 'the bridge connecting to the display', 20_000);
    client = await connect(brokerUrl);
    // Let the first whole frame go out before the first sample.
    await delay(1000);
    const rates = [
      await commandsToDevice(client, watcher, 1, slowCount, 0),
      await commandsToDevice(client, watcher, 50, fastCount, slowCount),
    ];
    return { rates, sessions: watcher.sessions, retransmitted_packets: watcher.retransmitted };
  } finally {
    await client?.endAsync(true);
    await bridge.dispose();
  }
}

/** Runs of one scheme taken together: totals over the summed measuring time. */
function merged(runs) {
  const frames = runs.reduce((a, r) => a + r.frames, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const bytes = runs.reduce((a, r) => a + r.bytes, 0);
  const pushTimes = runs.flatMap((r) => r.pushTimes ?? []);
  return {
    window: runs[0].window,
    runs: runs.length,
    frames,
    frames_per_second: frames / seconds,
    wire_bytes_per_frame: frames > 0 ? bytes / frames : null,
    wire_bytes_per_second: bytes / seconds,
    packets_per_frame: runs.reduce((a, r) => a + r.packetsPerFrame, 0) / runs.length,
    retransmits: runs.reduce((a, r) => a + r.retransmits, 0),
    device_in_sync: runs.every((r) => r.inSync),
    ...(pushTimes.length > 0 ? { frame_push_ms: { n: pushTimes.length, p50_ms: median(pushTimes), p99_ms: percentile(pushTimes, 99) } } : {}),
  };
}

/**
 * The two schemes in alternating runs on the same link, so that a change in the machine's load
 * hits both alike; returns [prototype, ours].
 */
async function compareRates(ptyPath, nextFrame, runMs, rounds) {
  const prototype = [];
  const ours = [];
  for (let i = 0; i < rounds; i++) {
    prototype.push(await prototypeRate(ptyPath, nextFrame, runMs));
    ours.push(await ourRate(ptyPath, nextFrame, runMs));
  }
  return [merged(prototype), merged(ours)];
}

const rateRow = (scheme, content, r, baseline) => ({ scheme, content, ...r, ratio_to_prototype: ratio(r.frames_per_second, baseline?.frames_per_second) });

/**
 * `scrollFrames`: the scroll app's recorded frames (serial-bytes.js). `latency`: this run's
 * command-to-pixel results, whose MQTT round trip is the first-byte baseline; gets
 * `serial_first_byte`. Returns what goes under `serial.link`.
 */
async function measureSerialLink(brokerUrl, { scrollFrames, latency, runMs = 2000, rounds = 2, slowCount = 20, fastCount = 150 }) {
  if (!scrollFrames?.length) throw new Error('no recorded scroll frames to replay');
  const link = await startQemuLink();
  try {
    await link.attach();
    const [protoRandom, oursRandom] = await compareRates(link.ptyPath, randomFrames(), runMs, rounds);
    const [protoScroll, oursScroll] = await compareRates(link.ptyPath, replay(scrollFrames), runMs, rounds);
    const commands = await commandLatency(link, brokerUrl, { slowCount, fastCount });

    const mqttP50 = latency?.baseline_round_trip?.p50_ms ?? null;
    const pushP50 = protoRandom.frame_push_ms.p50_ms;
    for (const r of commands.rates) {
      r.first_byte.ratio_p50_to_mqtt_round_trip = ratio(r.first_byte.p50_ms, mqttP50);
      r.commit_ack.ratio_p50_to_prototype_frame_push = ratio(r.commit_ack.p50_ms, pushP50);
    }
    if (latency) {
      const [slow, fast] = commands.rates;
      latency.serial_first_byte = { p50_ms: slow.first_byte.p50_ms, p99_ms: slow.first_byte.p99_ms, n: slow.first_byte.n, at_50_per_second: fast.first_byte };
    }
    return {
      transport: 'firmware in qemu (microbit machine) behind a socat pty',
      seconds_per_scheme: (rounds * runMs) / 1000,
      rounds,
      rates: [
        rateRow('prototype: whole frame, stop-and-wait', 'random', protoRandom),
        rateRow('ours: delta + window', 'random', oursRandom, protoRandom),
        rateRow('prototype: whole frame, stop-and-wait', 'scroll', protoScroll),
        rateRow('ours: delta + window', 'scroll', oursScroll, protoScroll),
      ],
      command_to_device: {
        baseline_mqtt_round_trip_p50_ms: mqttP50,
        baseline_prototype_frame_push: protoRandom.frame_push_ms,
        ...commands,
      },
    };
  } finally {
    await link.dispose();
  }
}

module.exports = { measureSerialLink };
