/**
 * End to end: the real bridge process (`megabit --config`) with `serial.path` set to a pty
 * behind which the real firmware runs in qemu. Checks what a user sees over MQTT: the picture
 * in sync on the device, the hardware button as P/event/button, a crashed and restarted device,
 * and a line that loses and corrupts bytes. Fails (never skips) without qemu, socat or arm gcc.
 */
import { execFile } from 'node:child_process';
import type { DisplayLinkState } from '@megabit/contract';
import { BUTTON_TIMING_LIMITS, CMD, OUT } from '@megabit/contract';
import { BRIDGE_CLI, type RunningBridge, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { waitUntil } from '../helpers/ports';
import { buildFirmware, firmwareSymbol, noisyLine, QemuDisplay } from '../helpers/serial/qemu-display';

jest.setTimeout(120_000);

/**
 * The button's timings, at the top of what the settings accept. The test drives the pin from this
 * machine, and a hold or gap lasts on the device from when its firmware first samples one level
 * to when it first samples the next: when qemu's vCPU waits for a core, that is later than the
 * test meant, by up to a second under load (measured at load ~15 on 2 cores: a 120 ms hold
 * stamped 1096 ms, an 80 ms one 298 ms). With the 400 ms default window a 100 ms gap could
 * stretch into two presses; each threshold here is ~20x the gesture that must stay below it.
 */
const DOUBLE_PRESS_MS = BUTTON_TIMING_LIMITS.doublePressMs.max;
/** Far above the 800 ms default, so a 900 ms hold shows the setting is what counts. */
const LONG_PRESS_MS = BUTTON_TIMING_LIMITS.longPressMs.max;

function linkState(payload: Buffer): DisplayLinkState {
  return JSON.parse(payload.toString()) as DisplayLinkState;
}

async function startAll(mangle?: ReturnType<typeof noisyLine>): Promise<{ qemu: QemuDisplay; bridge: RunningBridge; client: TestClient }> {
  const qemu = await QemuDisplay.start({ mangle });
  const bridge = await startBridge({
    settings: { serial: { path: qemu.ptyPath }, button: { long_press_ms: LONG_PRESS_MS, double_press_ms: DOUBLE_PRESS_MS } },
    apps: ['clock'],
  });
  const client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  await client.subscribe([bridge.topics.out(OUT.stateDisplay), bridge.topics.out(OUT.buttonEvent), bridge.topics.out(OUT.state)]);
  return { qemu, bridge, client };
}

/** The next P/state/display (from message index `since` on) that satisfies `test`. */
async function displayState(client: TestClient, test: (s: DisplayLinkState) => boolean, timeoutMs: number, since = 0): Promise<DisplayLinkState> {
  const m = await client.waitFor(client.topics.out(OUT.stateDisplay), (msg) => test(linkState(msg.payload)), timeoutMs, since);
  return linkState(m.payload);
}

beforeAll(() => buildFirmware());

describe('bridge with the firmware in qemu', () => {
  let qemu: QemuDisplay;
  let bridge: RunningBridge;
  let client: TestClient;

  beforeAll(async () => {
    ({ qemu, bridge, client } = await startAll());
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    await qemu?.dispose();
  });

  it('connects, shows the app and a notification, and reports in_sync on P/state/display', async () => {
    const first = await displayState(client, (s) => s.connected && s.in_sync, 20_000);
    expect(first).toMatchObject({
      transport: 'serial',
      port: qemu.ptyPath,
      board: 'qemu-microbit',
      protocol_version: '1.3',
      refresh_hz: 0,
      error: null,
    });
    expect(first.last_fault).toBeNull();
    expect(first.firmware_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(first.frame_id).toBeGreaterThanOrEqual(1);
    // The link LED is lit (not blinking: read across two blink periods) and the RGB LED says the
    // bridge has its broker; the board shows what P/state/display says.
    expect(first.leds).toEqual({ link: true, red: false, green: true, blue: false });
    for (let i = 0; i < 6; i++) {
      expect(await qemu.statusLeds()).toEqual({ link: true, red: false });
      await new Promise((r) => setTimeout(r, 100));
    }
    const state = await client.waitFor(bridge.topics.out(OUT.state), (m) => JSON.parse(m.payload.toString()).display.connected === true, 10_000);
    expect(JSON.parse(state.payload.toString()).display).toMatchObject({ connected: true, transport: 'serial' });

    const since = client.messages.length;
    const reply = await client.request(CMD.notify, { text: 'Hello panel', color: '#ff8800', hold: true });
    expect(reply.ok).toBe(true);
    const after = await displayState(client, (s) => s.in_sync && (s.frame_id ?? 0) > (first.frame_id ?? 0), 20_000, since);
    expect(after.connected).toBe(true);
    expect(after.device?.frames_shown).toBeGreaterThanOrEqual(2);
    expect(after.host.frames_sent).toBeGreaterThanOrEqual(2);
    await client.request(CMD.notifyDismiss, {});
  });

  it('turns the hardware button into press, double_press and long_press on P/event/button', async () => {
    const topic = bridge.topics.out(OUT.buttonEvent);
    const actions = (since: number): string[] => client.on(topic, since).map((m) => JSON.parse(m.payload.toString()).action as string);

    let since = client.messages.length;
    await qemu.hold(120);
    await client.waitFor(topic, () => true, 10_000, since);
    await new Promise((r) => setTimeout(r, DOUBLE_PRESS_MS + 300));
    expect(actions(since)).toEqual(['press']);

    since = client.messages.length;
    await qemu.hold(80);
    await new Promise((r) => setTimeout(r, 100));
    await qemu.hold(80);
    await client.waitFor(topic, () => true, 10_000, since);
    await new Promise((r) => setTimeout(r, DOUBLE_PRESS_MS + 300));
    expect(actions(since)).toEqual(['double_press']);

    // Holds the firmware once classified as neither click nor long press, and one that only the
    // long_press_ms setting keeps from being a long press: each is exactly one press.
    for (const ms of [650, 900]) {
      since = client.messages.length;
      await qemu.hold(ms);
      await client.waitFor(topic, () => true, 10_000, since);
      await new Promise((r) => setTimeout(r, DOUBLE_PRESS_MS + 300));
      expect(actions(since)).toEqual(['press']);
    }

    // The long press comes while the button is still held; the release adds nothing.
    since = client.messages.length;
    await qemu.press(true);
    await client.waitFor(topic, () => true, 10_000, since);
    await qemu.press(false);
    await new Promise((r) => setTimeout(r, DOUBLE_PRESS_MS + 300));
    expect(actions(since)).toEqual(['long_press']);
    expect(JSON.parse(client.on(topic, since)[0].payload.toString())).toEqual({ button: 'main', action: 'long_press' });
  });

  it('notices a device reset (new boot id) and shows the picture again', async () => {
    const before = await displayState(client, (s) => s.connected && s.in_sync, 20_000);
    const since = client.messages.length;
    await qemu.reset();
    const after = await displayState(client, (s) => s.connected && s.in_sync && s.host.sessions > before.host.sessions, 20_000, since);
    expect(after.device?.frames_shown).toBeGreaterThanOrEqual(1);
    // Its log line and its state travel apart (stdout, MQTT): either may arrive first.
    await waitUntil(() => /display connected .*\(device restarted\)/.test(bridge.output), 'the reconnect logged');
  });

  it('reports a firmware fault, injected through the debug channel, once the device has restarted', async () => {
    const before = await displayState(client, (s) => s.connected && s.in_sync, 20_000);
    expect(before.last_fault).toBeNull();
    const since = client.messages.length;
    await qemu.injectFault();
    const after = await displayState(client, (s) => s.connected && s.last_fault !== null, 20_000, since);
    expect(after.host.sessions).toBeGreaterThan(before.host.sessions);
    // The stacked PC is the undefined instruction, the first of qemu_fault_now; the M0 has no CFSR.
    const faultAt = firmwareSymbol('qemu_fault_now');
    expect(after.last_fault).toMatchObject({ kind: 'hardfault', cfsr: 0 });
    expect(after.last_fault?.pc).toBeGreaterThanOrEqual(faultAt);
    expect(after.last_fault?.pc).toBeLessThan(faultAt + 8);
    // The state goes out before the log line, and they travel apart (MQTT, stdout).
    const logged = /display firmware restarted after a fault: hardfault at pc 0x[0-9a-f]{8}, lr 0x[0-9a-f]{8}, cfsr 0x00000000/;
    await waitUntil(() => logged.test(bridge.output), 'the fault logged');
    // The restarted device shows the picture again, and still says what the last boot died of.
    await displayState(client, (s) => s.connected && s.in_sync && s.last_fault?.kind === 'hardfault', 20_000, since);
  });

  it('reports a crashed device (kill -9) as disconnected and is back in sync after it restarts', async () => {
    let since = client.messages.length;
    const logFrom = bridge.output.length;
    await qemu.crash();
    const down = await displayState(client, (s) => !s.connected, 10_000, since);
    expect(down.in_sync).toBe(false);
    expect(bridge.running).toBe(true);

    since = client.messages.length;
    await qemu.boot();
    const up = await displayState(client, (s) => s.connected && s.in_sync, 20_000, since);
    // Issue 6's requirement, back in sync within 1 s of the device coming back, is asserted over
    // ten cuts in reliability/serial-link-cuts.test.ts; one sample includes the emulated
    // device's start, which a loaded machine stretches, so here: never as late as a backoff (3 s).
    const resumeMs = Date.now() - qemu.ptyAppearedAt;
    process.stdout.write(`display back in sync ${resumeMs} ms after the restarted device's pty appeared\n`);
    expect(resumeMs).toBeLessThan(3000);
    expect(up.board).toBe('qemu-microbit');
    expect(up.host.sessions).toBeGreaterThanOrEqual(2);
    const reply = await client.request(CMD.notify, { text: 'Back' });
    expect(reply.ok).toBe(true);
    // The bridge logged the loss once, not once per reopening attempt.
    const log = bridge.output.slice(logFrom);
    expect(log.match(/display link lost/g)?.length).toBe(1);
    expect(log.match(/unavailable/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});

describe('bridge with the firmware in qemu over a line that drops and corrupts bytes', () => {
  // Issue 6: bytes dropped and flipped at 1 % or more (measured below). MEGABIT_NOISE_SEED
  // replays another fault pattern.
  const line = noisyLine(0.006, 0.006, Number(process.env.MEGABIT_NOISE_SEED ?? 42));
  let qemu: QemuDisplay;
  let bridge: RunningBridge;
  let client: TestClient;

  beforeAll(async () => {
    ({ qemu, bridge, client } = await startAll(line));
  });

  afterAll(async () => {
    if (process.env.MEGABIT_DEBUG_E2E) {
      for (const m of client.on(bridge.topics.out(OUT.stateDisplay))) process.stdout.write(`${m.payload.toString()}\n`);
      process.stdout.write(bridge.output);
    }
    await client?.close();
    await bridge?.dispose();
    await qemu?.dispose();
  });

  it('still converges to in_sync, and the bridge keeps answering', async () => {
    const first = await displayState(client, (s) => s.connected && s.in_sync, 60_000);
    let last = first;
    for (const text of ['One', 'Two', 'Three']) {
      const since = client.messages.length;
      // The same id: each notification replaces the one showing instead of queueing behind it.
      const reply = await client.request(CMD.notify, { text, id: 'noisy', hold: true });
      expect(reply.ok).toBe(true);
      const previous = last.frame_id ?? 0;
      last = await displayState(client, (x) => x.in_sync && (x.frame_id ?? 0) > previous, 60_000, since);
      expect(last.connected).toBe(true);
    }
    const corrupted = (line.dropped + line.flipped) / line.bytes;
    process.stdout.write(`the line (seed ${line.seed}) corrupted ${line.dropped + line.flipped} of ${line.bytes} bytes (${(corrupted * 100).toFixed(2)} %)\n`);
    expect(corrupted).toBeGreaterThanOrEqual(0.01);
    expect((last.device?.rx_crc_errors ?? 0) + (last.device?.rx_malformed ?? 0)).toBeGreaterThan(0);
    expect(last.host.retransmits).toBeGreaterThan(0);
    expect(bridge.running).toBe(true);
  });
});

describe('megabit device, with the firmware in qemu', () => {
  let qemu: QemuDisplay;

  beforeAll(async () => {
    qemu = await QemuDisplay.start();
  });

  afterAll(async () => {
    await qemu?.dispose();
  });

  function megabit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BRIDGE_CLI, 'device', ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  it('info describes the board', async () => {
    const { code, stdout } = await megabit('info', '--serial', qemu.ptyPath);
    expect(code).toBe(0);
    expect(stdout).toContain('board:     qemu-microbit');
    expect(stdout).toContain('protocol:  1.3');
    expect(stdout).toContain('panel:     64x32');
  });

  it('test-pattern shows the pattern and status then reports it', async () => {
    const shown = await megabit('test-pattern', '--serial', qemu.ptyPath);
    expect(shown.code).toBe(0);
    const match = /test pattern shown: frame (\d+), CRC-32 ([0-9a-f]{8}) matches/.exec(shown.stdout);
    expect(match).not.toBeNull();
    const status = await megabit('status', '--serial', qemu.ptyPath);
    expect(status.code).toBe(0);
    // A new session does not blank the panel: the pattern is still what the device shows.
    expect(status.stdout).toContain(`frame:      ${match![1]} (CRC-32 ${match![2]})`);
    expect(status.stdout).toMatch(/framesShown +[1-9]/);
  });

  it('says clearly when the port does not exist', async () => {
    const { code, stderr } = await megabit('info', '--serial', '/dev/does-not-exist');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^megabit device: .*does-not-exist/);
  });
});
