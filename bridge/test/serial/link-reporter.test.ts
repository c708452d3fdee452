/**
 * The link reporter on its own, over a stand-in link and display: the `P/state/display`
 * snapshot it builds (counters across channels, in_sync, the LEDs, the error) and how it tells
 * the bus: link changes at once, the first in_sync of a session at once, later sync changes at
 * most every 250 ms with the latest always, counters alone at most every 5 s.
 */
import type { DisplayLeds } from '@megabit/contract';
import { EventBus } from '../../src/events';
import { LinkReporter, type ReportedDisplay, type ReportedLink, type SessionCounters } from '../../src/serial/link-reporter';
import type { DeviceInfo } from '../../src/serial/link-session';
import type { MessageOf } from '../../src/serial/protocol';
import { recordingLog } from '../helpers/logs';

const INFO: DeviceInfo = {
  board: 'stand-in',
  firmwareVersion: '1.2.3',
  protocolVersion: '1.0',
  width: 64,
  height: 32,
  colourDepth: 8,
  levelRice: false,
  statusOnNewFrame: false,
  maxPacket: 1024,
  window: 8,
  bootId: 7,
};

function counters(n: number): SessionCounters {
  return { packetsSent: n, retransmits: n, rxDropped: n, sessions: 1 };
}

class StandIn implements ReportedLink, ReportedDisplay {
  port: string | null = null;
  device: DeviceInfo | undefined;
  session: SessionCounters | undefined;
  committedId: number | null = null;
  counters = { frames_sent: 0, frames_skipped: 0, frames_preempted: 0 };
  leds: DisplayLeds = { link: true, red: true, green: false, blue: false };
  /** The frame id the device must show to be in sync. */
  wanted = 1;

  matches(status: MessageOf<'STATUS'>): boolean {
    return status.frameId === this.wanted;
  }
}

function status(frameId: number, counters: number[] = []): MessageOf<'STATUS'> {
  return { name: 'STATUS', seq: 0, frameId, frameCrc: 0, refreshHz: 120, uptimeMs: 0, brightness: 255, power: 1, counters };
}

function setUp(): { facts: StandIn; reporter: LinkReporter; seen: string[] } {
  const facts = new StandIn();
  const bus = new EventBus(recordingLog().log);
  const seen: string[] = [];
  bus.on(seen, 'displayChanged', () => seen.push('display'));
  bus.on(seen, 'stateChanged', () => seen.push('state'));
  return { facts, reporter: new LinkReporter(facts, facts, { path: 'auto', bus }), seen };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

it('reports the configured path and nothing else before a device answers', () => {
  const { reporter } = setUp();
  expect(reporter.linkState()).toMatchObject({
    connected: false,
    transport: 'serial',
    port: 'auto',
    board: null,
    refresh_hz: null,
    in_sync: false,
    frame_id: null,
    error: null,
    device: null,
    leds: null,
  });
});

it('adds the counters of closed channels to those of the open one', () => {
  const { facts, reporter } = setUp();
  facts.port = '/dev/ttyACM0';
  facts.session = counters(5);
  reporter.portOpened();
  reporter.channelClosed(counters(5));
  facts.session = counters(2);
  facts.counters = { frames_sent: 3, frames_skipped: 4, frames_preempted: 2 };
  expect(reporter.linkState()).toMatchObject({
    port: '/dev/ttyACM0',
    host: { packets_sent: 7, retransmits: 7, rx_dropped: 7, frames_sent: 3, frames_skipped: 4, frames_preempted: 2, sessions: 2 },
  });
});

it('tells a session opening and closing at once, also as a state change', () => {
  const { facts, reporter, seen } = setUp();
  facts.device = INFO;
  reporter.sessionOpened();
  expect(seen).toEqual(['display', 'state']);
  expect(reporter.linkState()).toMatchObject({ connected: true, board: 'stand-in', firmware_version: '1.2.3', leds: facts.leds });
  facts.device = undefined;
  reporter.sessionLost();
  expect(seen).toEqual(['display', 'state', 'display', 'state']);
  expect(reporter.linkState().leds).toBeNull();
});

it('reports the first in_sync at once and throttles later flips, keeping the last', () => {
  const { facts, reporter, seen } = setUp();
  facts.device = INFO;
  reporter.sessionOpened();
  seen.length = 0;
  reporter.status(status(1, [9]));
  expect(seen).toEqual(['display']);
  expect(reporter.linkState()).toMatchObject({ in_sync: true, refresh_hz: 120, device: { rx_packets: 9 } });
  facts.wanted = 2;
  reporter.status(status(1));
  reporter.status(status(2));
  facts.wanted = 3;
  reporter.status(status(2));
  expect(seen).toEqual(['display']);
  jest.advanceTimersByTime(250);
  expect(seen).toEqual(['display', 'display']);
  expect(reporter.linkState().in_sync).toBe(false);
});

it('reports counters alone at most every 5 s', () => {
  const { facts, reporter, seen } = setUp();
  facts.device = INFO;
  reporter.sessionOpened();
  facts.wanted = 99;
  seen.length = 0;
  reporter.status(status(1));
  jest.advanceTimersByTime(4000);
  reporter.status(status(1));
  expect(seen).toEqual([]);
  jest.advanceTimersByTime(1000);
  reporter.status(status(1));
  expect(seen).toEqual(['display']);
});

it('keeps a refusal until a port opens again', () => {
  const { reporter, seen } = setUp();
  reporter.refused('device speaks protocol 3.0');
  expect(seen).toEqual(['display', 'state']);
  expect(reporter.linkState().error).toBe('device speaks protocol 3.0');
  reporter.portOpened();
  expect(reporter.linkState().error).toBeNull();
});

it('tells an LED change only while a device is connected', () => {
  const { facts, reporter, seen } = setUp();
  reporter.ledsChanged();
  expect(seen).toEqual([]);
  facts.device = INFO;
  reporter.ledsChanged();
  expect(seen).toEqual(['display']);
});

it('leaves no report pending once stopped', () => {
  const { facts, reporter, seen } = setUp();
  facts.device = INFO;
  reporter.sessionOpened();
  reporter.status(status(1));
  facts.wanted = 2;
  seen.length = 0;
  reporter.status(status(1));
  reporter.stop();
  jest.advanceTimersByTime(1000);
  expect(seen).toEqual([]);
  expect(jest.getTimerCount()).toBe(0);
});

describe("the fault of the device's last boot", () => {
  it('shows it at once while connected, and forgets it when a session opens (the device repeats it)', () => {
    const { facts, reporter, seen } = setUp();
    facts.device = INFO;
    reporter.sessionOpened();
    expect(reporter.linkState().last_fault).toBeNull();
    seen.length = 0;
    reporter.fault({ name: 'FAULT', seq: 0, kind: 1, pc: 0x112a4, lr: 0x10f6b, cfsr: 0x20000 });
    expect(seen).toEqual(['display', 'state']);
    expect(reporter.linkState().last_fault).toEqual({ kind: 'hardfault', pc: 0x112a4, lr: 0x10f6b, cfsr: 0x20000 });
    reporter.fault({ name: 'FAULT', seq: 0, kind: 2, pc: 0, lr: 0, cfsr: 0 });
    expect(reporter.linkState().last_fault?.kind).toBe('watchdog');
    reporter.fault({ name: 'FAULT', seq: 0, kind: 9, pc: 0, lr: 0, cfsr: 0 });
    expect(reporter.linkState().last_fault?.kind).toBe('unknown');
    facts.device = undefined;
    expect(reporter.linkState().last_fault).toBeNull(); /* disconnected: nothing to show */
    facts.device = INFO;
    reporter.sessionOpened();
    expect(reporter.linkState().last_fault).toBeNull();
  });

  it('turns in_sync on for a STATUS the device pushed when it showed the frame', () => {
    const { facts, reporter } = setUp();
    facts.device = INFO;
    reporter.sessionOpened();
    facts.wanted = 3;
    reporter.status(status(3));
    expect(reporter.linkState().in_sync).toBe(true);
  });
});
