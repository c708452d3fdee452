/**
 * P/state/display from the real bridge process without working hardware: none configured, and
 * a configured port that does not exist (the bridge runs on and says so once).
 */
import type { DeviceState, DisplayLinkState } from '@megabit/contract';
import { CMD, OUT } from '@megabit/contract';
import { type RunningBridge, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';

jest.setTimeout(60_000);

let bridge: RunningBridge | undefined;
let client: TestClient | undefined;

afterEach(async () => {
  await client?.close();
  await bridge?.dispose();
  client = undefined;
  bridge = undefined;
});

async function start(settings: Record<string, unknown>): Promise<{ b: RunningBridge; c: TestClient }> {
  bridge = await startBridge({ settings });
  client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  await client.subscribe([bridge.topics.out(OUT.stateDisplay), bridge.topics.out(OUT.state)]);
  return { b: bridge, c: client };
}

it('publishes a retained "no hardware" state when serial.path is not set', async () => {
  const { b, c } = await start({});
  const m = await c.waitFor(b.topics.out(OUT.stateDisplay));
  expect(m.retain).toBe(true);
  expect(JSON.parse(m.payload.toString()) as DisplayLinkState).toEqual({
    connected: false,
    transport: 'none',
    port: null,
    board: null,
    firmware_version: null,
    protocol_version: null,
    refresh_hz: null,
    in_sync: false,
    frame_id: null,
    error: null,
    host: { packets_sent: 0, retransmits: 0, rx_dropped: 0, frames_sent: 0, frames_skipped: 0, frames_preempted: 0, sessions: 0 },
    device: null,
    leds: null,
    last_fault: null,
  });
});

it('runs on with a missing serial port, reports it disconnected and logs it once', async () => {
  const { b, c } = await start({ serial: { path: '/dev/ttyMEGABIT-absent' } });
  const m = await c.waitFor(b.topics.out(OUT.stateDisplay));
  expect(JSON.parse(m.payload.toString())).toMatchObject({ connected: false, transport: 'serial', port: '/dev/ttyMEGABIT-absent', in_sync: false });
  const state = await c.waitFor(b.topics.out(OUT.state));
  expect((JSON.parse(state.payload.toString()) as DeviceState).display).toEqual({ width: 64, height: 32, connected: false, transport: 'serial' });
  expect((await c.request(CMD.notify, { text: 'still here' })).ok).toBe(true);
  await new Promise((r) => setTimeout(r, 2000)); // several reopening attempts
  expect(b.output.match(/display port \/dev\/ttyMEGABIT-absent unavailable/g)).toHaveLength(1);
  expect(b.running).toBe(true);
});
