/**
 * The light entity as Home Assistant's JSON light drives it, with a display on the serial link:
 * the real bridge on mosquitto, its `serial.path` a socat pty whose other end is the protocol
 * test peer (FakeDevice). Transition fades and flashes reach the panel; the firmware entity
 * shows what the device said in HELLO; unplugging makes the light unavailable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_BYTES } from '@megabit/contract';
import type { Message } from '../../src/serial/protocol';
import { Mosquitto } from '../helpers/mosquitto';
import { TestClient, type Received } from '../helpers/mqtt-client';
import { delay, waitUntil } from '../helpers/ports';
import { FakeDevice } from '../helpers/serial/fake-device';
import { startInProcess, type InProcessBridge } from '../helpers/homeassistant/bridge-in-process';
import { renderTemplate } from '../helpers/homeassistant/ha-template';
import { DEVICE_TOPICS as P } from '../helpers/topics';

const DEVICE = 'homeassistant/device/megabit_megabit/config';
type Component = Record<string, unknown>;

describe('the light with a panel on the serial link', () => {
  let broker: Mosquitto;
  let ha: TestClient;
  let bridge: InProcessBridge;
  let server: Server;
  let socat: ChildProcess;
  let dir: string;
  let panel: FakeDevice | undefined;
  /** What the panel processed, with when. */
  const received: Array<{ message: Message; at: number }> = [];
  let cmps: Record<string, Component>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-ha-panel-'));
    server = createServer((socket) => {
      panel = new FakeDevice(socket);
      const push = panel.processed.push.bind(panel.processed);
      panel.processed.push = (...messages: Message[]): number => {
        for (const message of messages) received.push({ message, at: Date.now() });
        return push(...messages);
      };
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const path = join(dir, 'ttyMEGABIT');
    socat = spawn('socat', [`PTY,link=${path},raw,echo=0`, `TCP:127.0.0.1:${(server.address() as { port: number }).port},nodelay`], { stdio: 'ignore' });
    await waitUntil(() => existsSync(path), 'the socat pty', 5000);

    broker = await Mosquitto.start();
    ha = await TestClient.connect(broker.url, P);
    await ha.subscribe([DEVICE, P.out('availability'), P.out('state/display'), P.out('state'), P.out('display/frame')]);
    bridge = await startInProcess(broker.url, { apps: ['clock'], settings: { serial: { path }, rotation: { enabled: false } } });
    cmps = (JSON.parse((await ha.waitFor(DEVICE)).payload.toString()) as { cmps: Record<string, Component> }).cmps;
    await ha.waitFor(P.out('state/display'), (m) => JSON.parse(m.payload.toString()).connected === true, 15_000);
  }, 30_000);

  afterAll(async () => {
    await bridge?.stop();
    await ha?.close();
    await broker?.dispose();
    panel?.close();
    socat?.kill('SIGTERM');
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const latest = (topic: string): string => ha.on(topic).pop()!.payload.toString();
  const availability = (component: Component): boolean =>
    (component.availability as Array<{ topic: string; value_template?: string }>).every(
      (entry) => (entry.value_template ? renderTemplate(entry.value_template, latest(entry.topic)) : latest(entry.topic)) === 'online',
    );
  const levelsSince = (i: number): Array<{ level: number; at: number }> =>
    received
      .slice(i)
      .filter((r) => r.message.name === 'SET_BRIGHTNESS')
      .map((r) => ({ level: (r.message as { level: number }).level, at: r.at }));

  it('Home Assistant is offered transition and flash: the config does not turn them off', () => {
    expect(cmps.display).toMatchObject({
      p: 'light',
      schema: 'json',
      brightness: true,
      flash: true,
      transition: true,
      flash_time_short: 2,
      flash_time_long: 10,
    });
    expect(availability(cmps.display)).toBe(true);
    expect(availability(cmps.screen)).toBe(true);
  });

  it('the firmware entity: installed is what the device said in HELLO', () => {
    const state = JSON.parse(renderTemplate(cmps.firmware.value_template as string, latest(P.out('state/display')))) as Record<string, unknown>;
    expect(state.installed_version).toBe('9.8.7');
  });

  it('{"state":"ON","brightness":120,"transition":2} fades the panel to 120 over 2 s; the state says 120 at once', async () => {
    await ha.request('display', '{"state":"ON","brightness":250}');
    await waitUntil(() => panel!.brightness === 250, 'brightness 250 on the panel', 5000);
    const since = received.length;
    const reply = await ha.request('display', '{"state":"ON","brightness":120,"transition":2}');
    expect(reply).toMatchObject({ ok: true, state: 'ON', brightness: 120 });
    expect(JSON.parse(latest(P.out('state')))).toMatchObject({ state: 'ON', brightness: 120 });
    await waitUntil(() => panel!.brightness === 120, 'the fade to end', 10_000);
    const levels = levelsSince(since);
    expect(levels.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < levels.length; i++) expect(levels[i].level).toBeLessThan(levels[i - 1].level);
    expect(levels[levels.length - 1].level).toBe(120);
    // Spread over the transition, not sent at once (sent 2 s apart; the link may bunch a little).
    expect(levels[levels.length - 1].at - levels[0].at).toBeGreaterThanOrEqual(1500);
  });

  it('{"state":"OFF","transition":1} dims to 0 and then switches the panel off', async () => {
    const since = received.length;
    expect(await ha.request('display', '{"state":"OFF","transition":1}')).toMatchObject({ ok: true, state: 'OFF', brightness: 120 });
    await waitUntil(() => panel!.power === 0, 'the panel to switch off', 10_000);
    const after = received
      .slice(since)
      .filter((r) => r.message.name === 'SET_BRIGHTNESS' || r.message.name === 'SET_POWER')
      .map((r) => r.message);
    const offAt = after.findIndex((m) => m.name === 'SET_POWER');
    expect((after[offAt - 1] as { level: number }).level).toBe(0);
    expect(after.slice(0, offAt).length).toBeGreaterThanOrEqual(5);
    // Back on without a transition: at the brightness it had, at once.
    expect(await ha.request('display', '{"state":"ON"}')).toMatchObject({ ok: true, state: 'ON', brightness: 120 });
    await waitUntil(() => panel!.power === 1 && panel!.brightness === 120, 'the panel back on at 120', 5000);
  });

  it('{"state":"ON","flash":2} blinks the picture for 2 s and leaves it lit', async () => {
    const since = ha.messages.length;
    expect(await ha.request('display', '{"state":"ON","flash":2}')).toMatchObject({ ok: true, state: 'ON' });
    await delay(2600);
    const isBlack = (m: Received): boolean => m.payload.length === FRAME_BYTES && m.payload.every((b) => b === 0);
    const frames = ha.on(P.out('display/frame'), since);
    const pattern = frames.map(isBlack);
    // From the first dark frame (a clock frame may come just before): dark, lit, dark, lit.
    const fromDark = pattern.slice(pattern.indexOf(true));
    const changes = fromDark.filter((b, i) => i === 0 || b !== fromDark[i - 1]);
    expect({ pattern, changes: changes.slice(0, 4) }).toEqual({ pattern, changes: [true, false, true, false] });
    expect(pattern[pattern.length - 1]).toBe(false);
    expect(JSON.parse(latest(P.out('state')))).toMatchObject({ state: 'ON' });
  });

  it('unplugged, the light and the screen are unavailable and the rest is not', async () => {
    socat.kill('SIGTERM');
    await ha.waitFor(P.out('state/display'), (m) => JSON.parse(m.payload.toString()).connected === false, 15_000, 0);
    await waitUntil(() => JSON.parse(latest(P.out('state/display'))).connected === false, 'the link down', 15_000);
    expect(availability(cmps.display)).toBe(false);
    expect(availability(cmps.screen)).toBe(false);
    expect(availability(cmps.app)).toBe(true);
    expect(availability(cmps.firmware)).toBe(true);
    // The firmware entity is told no installed version, so Home Assistant keeps 9.8.7.
    const state = JSON.parse(renderTemplate(cmps.firmware.value_template as string, latest(P.out('state/display')))) as Record<string, unknown>;
    expect(state).not.toHaveProperty('installed_version');
    expect(state.latest_version).toBe('0.1.0');
  });
});
