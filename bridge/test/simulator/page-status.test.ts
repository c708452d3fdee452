import type { DeviceState } from '@megabit/contract';
import { perceivedBrightness, readAppList, readAvailability, readDeviceState, readDisplayLeds } from '../../simulator/device-state';
import { fitPanel, ledDisk } from '../../simulator/led-layout';
import { bridgeLabel, brokerLabel, formatUptime, panelNotice, ledsShown, type PageStatus } from '../../simulator/page-status';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const state: DeviceState = {
  state: 'ON',
  brightness: 128,
  app: 'clock',
  fps: 30,
  uptime_s: 5,
  version: '0.1.0',
  rotation: true,
  notification: null,
  display: { width: 64, height: 32, connected: false, transport: 'none' },
};
const live: PageStatus = { broker: 'connected', bridge: 'online', state, hasFrame: true, deviceId: 'desk' };

describe('panelNotice', () => {
  it('says nothing while everything is live', () => {
    expect(panelNotice(live)).toBeUndefined();
  });

  it('names the first thing that is wrong, broker before bridge before display', () => {
    expect(panelNotice({ ...live, broker: 'login', bridge: 'offline' })).toEqual({ text: 'Log in to see the display', level: 'warn' });
    expect(brokerLabel({ ...live, broker: 'login' })).toEqual({ text: 'broker: log in', level: 'warn' });
    expect(panelNotice({ ...live, broker: 'connecting' })?.text).toMatch(/Connecting/);
    expect(panelNotice({ ...live, broker: 'offline', bridge: 'offline' })?.text).toMatch(/Broker unreachable/);
    expect(panelNotice({ ...live, broker: 'reconnecting' })?.level).toBe('bad');
    expect(panelNotice({ ...live, bridge: 'offline' })?.text).toBe('Bridge "desk" is offline');
    expect(panelNotice({ ...live, bridge: 'unknown', hasFrame: false })?.text).toMatch(/No bridge "desk"/);
    expect(panelNotice({ ...live, state: { ...state, state: 'OFF' } })?.text).toBe('Display off');
    expect(panelNotice({ ...live, hasFrame: false })?.text).toMatch(/Waiting for frames/);
  });
});

describe('links', () => {
  it('lights the status LEDs as the bridge reports them, and only while it hears the bridge', () => {
    const leds = { link: true, red: false, green: true, blue: false };
    expect(ledsShown({ ...live, leds })).toEqual({ link: true, rgb: 'green' });
    expect(ledsShown({ ...live, leds: { link: true, red: true, green: true, blue: false } })).toEqual({ link: true, rgb: 'yellow' });
    expect(ledsShown({ ...live, leds: { link: false, red: false, green: false, blue: true } })).toEqual({ link: false, rgb: 'blue' });
    expect(ledsShown({ ...live, leds: null })).toEqual({ link: false, rgb: 'off' });
    expect(ledsShown({ ...live, leds, bridge: 'offline' })).toEqual({ link: false, rgb: 'off' });
    expect(ledsShown({ ...live, leds, broker: 'reconnecting' })).toEqual({ link: false, rgb: 'off' });
  });

  it('reads the LEDs from P/state/display, and refuses malformed ones', () => {
    expect(readDisplayLeds(enc({ connected: true, leds: { link: true, red: true, green: false, blue: false } }))).toEqual({
      link: true,
      red: true,
      green: false,
      blue: false,
    });
    expect(readDisplayLeds(enc({ connected: false, leds: null }))).toBeNull();
    expect(readDisplayLeds(enc({ connected: true, leds: { link: 'yes', red: true, green: false, blue: false } }))).toBeUndefined();
    expect(readDisplayLeds(enc('not json'))).toBeUndefined();
  });

  it('does not claim to know the bridge without the broker', () => {
    expect(bridgeLabel({ ...live, broker: 'reconnecting' })).toEqual({ text: 'bridge: unknown', level: 'warn' });
    expect(bridgeLabel(live).level).toBe('ok');
  });
});

describe('reading bridge messages', () => {
  it('accepts a device state and refuses malformed ones', () => {
    expect(readDeviceState(enc(state))).toEqual(state);
    expect(readDeviceState(enc({ ...state, state: 'MAYBE' }))).toBeUndefined();
    expect(readDeviceState(enc({ ...state, brightness: '5' }))).toBeUndefined();
    expect(readDeviceState(enc('not json'))).toBeUndefined();
    expect(readDeviceState(enc([1]))).toBeUndefined();
  });

  it('accepts an app list only when every entry is an app', () => {
    const app = { id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' };
    expect(readAppList(enc([app]))).toEqual([app]);
    expect(readAppList(enc([app, { id: 3 }]))).toBeUndefined();
    expect(readAppList(enc({ apps: [] }))).toBeUndefined();
  });

  it('reads availability', () => {
    expect(readAvailability(enc('online'))).toBe('online');
    expect(readAvailability(enc('offline'))).toBe('offline');
    expect(readAvailability(enc('gone'))).toBe('unknown');
  });
});

describe('display helpers', () => {
  it('maps brightness to a perceived level: off at 0, full at 255, brighter than linear between', () => {
    expect(perceivedBrightness(0)).toBe(0);
    expect(perceivedBrightness(255)).toBe(1);
    expect(perceivedBrightness(64)).toBeGreaterThan(64 / 255);
    expect(perceivedBrightness(999)).toBe(1);
  });

  it('fits the panel with whole device pixels per LED', () => {
    expect(fitPanel(1000, 400, 1)).toEqual({ cell: 12, width: 768, height: 384, cssWidth: 768, cssHeight: 384 });
    expect(fitPanel(1000, 400, 2)).toEqual({ cell: 25, width: 1600, height: 800, cssWidth: 800, cssHeight: 400 });
    expect(fitPanel(0, 0, 1).cell).toBe(1);
    expect(fitPanel(500, 500, Number.NaN).cell).toBe(7);
  });

  it('makes a round LED with a dark gap around it', () => {
    const disk = ledDisk(10);
    expect(disk[0]).toBe(0);
    expect(disk[5 * 10 + 5]).toBe(1);
    expect(disk[5 * 10 + 0]).toBe(0);
    expect(disk[5 * 10 + 1]).toBe(1);
    expect(ledDisk(1)[0]).toBe(1);
  });

  it('formats uptime', () => {
    expect(formatUptime(65)).toBe('1m 5s');
    expect(formatUptime(3 * 3600 + 120)).toBe('3h 2m');
    expect(formatUptime(2 * 86400 + 3600)).toBe('2d 1h 0m');
  });
});
