/**
 * The packed bridge on ARM Node under qemu-user (scripts/arm-node.js installs it): the same checks
 * for each CPU, as one describe block. Preparing a target downloads Node and npm for it once
 * (kept in .cache/arm/) and has the emulated npm install the packed bridge; the checks then run
 * that install with its embedded broker, the example apps and the firmware in qemu behind a pty.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CMD, type AppStatus, type DeviceState, type DisplayLinkState, OUT } from '@megabit/contract';
import { REPO_ROOT, type RunningBridge, startBridge } from '../bridge-process';
import { json, TestClient } from '../mqtt-client';
import { buildFirmware, QemuDisplay } from '../serial/qemu-display';

/** What scripts/arm-node.js prints for a prepared target. */
export interface PreparedArm {
  arch: 'arm64' | 'armv7l';
  processArch: string;
  elf: { bits: number; machine: number; name: string };
  nodeVersion: string;
  npmVersion: string;
  /** The `node` wrapper that runs the ARM binary under qemu. */
  node: string;
  installDir: string;
  bridgeDir: string;
  bridgeCli: string;
  installedFresh: boolean;
  installSeconds: number;
}

/** The ELF class (32 or 64 bits) and e_machine of a shared object, read from its header. */
export function elfHeader(file: string): { bits: number; machine: number } {
  const head = readFileSync(file).subarray(0, 20);
  if (head.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`);
  const little = head[5] === 1;
  return { bits: head[4] === 2 ? 64 : 32, machine: little ? head.readUInt16LE(18) : head.readUInt16BE(18) };
}

const ARM_NODE_SCRIPT = join(REPO_ROOT, 'scripts', 'arm-node.js');

/** Runs scripts/arm-node.js for `arch`; its progress goes straight to this terminal. */
export function prepareArm(arch: PreparedArm['arch']): Promise<PreparedArm> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ARM_NODE_SCRIPT, arch], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PreparedArm) : reject(new Error(`scripts/arm-node.js ${arch} failed (${code})`))));
  });
}

/** Runs `script` with the emulated node in `cwd`; resolves with its stdout. */
export function runOnArm(arm: PreparedArm, script: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(arm.node, ['-e', script], { cwd, timeout: EMULATED_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${arm.arch} node failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** What PROBE prints: the emulated process's arch and version, and serialport's binding as loaded. */
interface Probed {
  arch: string;
  version: string;
  exports: string[];
  loaded: string[];
}

/**
 * Says which CPU and Node the emulated process is (process.arch, process.version), then loads
 * serialport's native binding the way the bridge does (serialport → @serialport/bindings-cpp →
 * node-gyp-build, resolved from the installed bridge) and lists the .node files mapped into the
 * process: qemu-user shows the guest's own mappings in /proc/self/maps. One emulated process for
 * both, run before the bridge starts: beside a running emulated bridge, each start of emulated
 * Node took several times as long.
 */
const PROBE = `
const { dirname, join } = require('node:path');
const serialport = dirname(require.resolve('serialport/package.json', { paths: [process.cwd()] }));
const bindings = dirname(require.resolve('@serialport/bindings-cpp/package.json', { paths: [serialport] }));
const { binding } = require(join(bindings, 'dist', 'serialport-bindings.js'));
const mapped = require('node:fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((line) => line.split(/\\s+/).slice(5).join(' ')).filter((file) => file.endsWith('.node'));
process.stdout.write(JSON.stringify({ arch: process.arch, version: process.version, exports: Object.keys(binding), loaded: [...new Set(mapped)] }));
`;

/** Every example app that `npm run build` built. */
function builtExamples(): string[] {
  const dir = join(REPO_ROOT, 'apps', 'examples');
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'build', 'manifest.json')))
    .sort();
}

const isLit = (frame: Buffer): boolean => frame.some((byte) => byte !== 0);

/**
 * How long any one step of an emulated bridge may take before it counts as failed. Generous on
 * purpose: idle, the arm64 bridge is ready in about 10 s, but qemu-user gets only what the other
 * jobs leave of 2 cores (with a load of 20 it got a tenth of one: ready after 158 s). A limit
 * that a loaded machine can reach makes a test that fails now and then.
 */
export const EMULATED_MS = 600_000;
/** The first run's downloads and emulated `npm install` (5-6 min per target on a loaded machine). */
const INSTALL_MS = 1_800_000;

/** The checks of issue 18 for one ARM target. */
export function describeBridgeOnArm(arch: PreparedArm['arch']): void {
  describe(`the packed bridge on ${arch} Node under qemu-user`, () => {
    let arm: PreparedArm;
    let qemu: QemuDisplay | undefined;
    let bridge: RunningBridge | undefined;
    let client: TestClient | undefined;
    let probed: Probed;
    const apps = builtExamples();

    beforeAll(
      async () => {
        arm = await prepareArm(arch);
        const probing = runOnArm(arm, PROBE, arm.bridgeDir);
        // Handled below; until then a failure must not count as unhandled.
        probing.catch(() => {});
        buildFirmware();
        qemu = await QemuDisplay.start();
        probed = JSON.parse(await probing) as Probed;
        const spawnedAt = Date.now();
        bridge = await startBridge({
          runtime: { node: arm.node, cli: arm.bridgeCli },
          apps,
          // Emulated and on a loaded machine, a tick or an app's setup takes many times as long.
          // No rotation: only the test's commands change the app shown, so the frame awaited after
          // a switch is the new app's (with rotation the bridge moved on by itself every 15 s).
          settings: {
            serial: { path: qemu.ptyPath },
            sandbox: { run_timeout_ms: 20_000, setup_timeout_ms: 120_000 },
            rotation: { enabled: false },
            // P/display/frame at its highest rate: the old app's last frame never waits in the
            // publisher (latest wins) past the state that names the new app.
            display: { frame_publish_max_fps: 60 },
          },
          readyTimeoutMs: EMULATED_MS,
        });
        process.stdout.write(`${arch}: Node ${arm.nodeVersion}, npm ${arm.npmVersion}; bridge ready ${Date.now() - spawnedAt} ms after spawn\n`);
        // The emulated broker may take many seconds to answer on a loaded machine.
        client = await TestClient.connect(bridge.mqttUrl, bridge.topics, { connectTimeout: EMULATED_MS });
        await client.subscribe([
          bridge.topics.out(OUT.state),
          bridge.topics.out(OUT.stateApps),
          bridge.topics.out(OUT.stateDisplay),
          bridge.topics.out(OUT.frame),
        ]);
      },
      2 * EMULATED_MS + INSTALL_MS,
    );

    afterAll(async () => {
      await client?.close();
      await bridge?.dispose();
      await qemu?.dispose();
    });

    it(`runs ${arch === 'arm64' ? 'Node 24' : 'the newest Node the registry has'} for ${arch}, emulated`, () => {
      if (arch === 'arm64') expect(arm.nodeVersion).toMatch(/^24\./);
      expect([probed.arch, probed.version]).toEqual([arm.processArch, `v${arm.nodeVersion}`]);
    });

    it(`has npm's serialport binding for ${arch}, and it loads`, () => {
      const { exports, loaded } = probed;
      expect(exports).toEqual(expect.arrayContaining(['open', 'close', 'Poller']));
      expect(loaded).toHaveLength(1);
      const [file] = loaded;
      expect(file.startsWith(arm.installDir)).toBe(true);
      expect(file).toContain(arch === 'arm64' ? '/prebuilds/linux-arm64/' : '/prebuilds/linux-arm/');
      if (arch === 'armv7l') expect(file).toContain('.armv7.');
      expect(elfHeader(file)).toEqual({ bits: arm.elf.bits, machine: arm.elf.machine });
    });

    it('starts with its embedded broker, and every example app runs and publishes frames', async () => {
      const c = client!;
      const b = bridge!;
      expect(b.output).toContain('embedded MQTT broker');
      const listed = await c.waitFor(b.topics.out(OUT.stateApps), (m) => json<AppStatus[]>(m.payload).length >= apps.length, EMULATED_MS);
      const statuses = json<AppStatus[]>(listed.payload).filter((a) => a.kind !== 'screen');
      expect(statuses.map((a) => a.id).sort()).toEqual(apps);
      // The app shown at start goes last: asked for the app it shows already, the bridge changes
      // nothing a test could wait for (and a static app draws no new frame).
      const atStart = await c.waitFor(b.topics.out(OUT.state), (m) => apps.includes(json<DeviceState>(m.payload).app ?? ''), EMULATED_MS);
      const shownAtStart = json<DeviceState>(atStart.payload).app;
      for (const id of [...apps.filter((a) => a !== shownAtStart), ...apps.filter((a) => a === shownAtStart)]) {
        const since = c.messages.length;
        const before = c.on(b.topics.out(OUT.frame)).at(-1)?.payload;
        const reply = await c.request(CMD.app, { id }, EMULATED_MS);
        expect(reply).toEqual(expect.objectContaining({ ok: true }));
        const shown = await c.waitFor(b.topics.out(OUT.state), (m) => json<DeviceState>(m.payload).app === id, EMULATED_MS, since);
        // A drawn frame published after the bridge said it shows `id` (the app before is closed by
        // then) and not the one shown before the switch: this app drew it.
        const frame = await c.waitFor(
          b.topics.out(OUT.frame),
          (m) => isLit(m.payload) && !(before && m.payload.equals(before)),
          EMULATED_MS,
          c.messages.indexOf(shown),
        );
        expect(frame.payload.length).toBe(64 * 32 * 3);
      }
      // None of them failed on the way (a setup or tick over its budget would show here).
      const last = c.on(b.topics.out(OUT.stateApps)).at(-1)!;
      expect(json<AppStatus[]>(last.payload).filter((a) => a.status !== 'ok')).toEqual([]);
    });

    it('reaches in-sync with the firmware in qemu over the pty', async () => {
      const c = client!;
      const m = await c.waitFor(
        bridge!.topics.out(OUT.stateDisplay),
        (msg) => {
          const s = json<DisplayLinkState>(msg.payload);
          return s.connected && s.in_sync;
        },
        EMULATED_MS,
      );
      expect(json<DisplayLinkState>(m.payload)).toMatchObject({ transport: 'serial', port: qemu!.ptyPath, board: 'qemu-microbit', error: null });
    });
  });
}
