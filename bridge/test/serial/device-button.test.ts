/**
 * The display's button on its own: only the main button counts, a reset forgets a hold (no
 * long press after a lost link), and a failing handler is logged, not thrown into the link.
 */
import type { ButtonEvent as ApiButtonEvent } from '@megabit/contract';
import { DeviceButton } from '../../src/serial/device-button';
import { ButtonEvent, type MessageOf } from '../../src/serial/protocol';
import { recordingLog } from '../helpers/logs';

const edge = (event: number, timeMs: number, button = 0): MessageOf<'BUTTON'> => ({ name: 'BUTTON', seq: 0, button, event, timeMs });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

it("classifies the main button by the device's clock, across its wrap, and ignores other buttons", () => {
  const actions: ApiButtonEvent[] = [];
  const button = new DeviceButton({ longPressMs: 800, doublePressMs: 300 }, (e) => actions.push(e), recordingLog().log);
  button.edge(edge(ButtonEvent.DOWN, 0, 1));
  button.edge(edge(ButtonEvent.UP, 50, 1));
  // Edges arriving together, 1280 ms apart by the device's u32 uptime, which wrapped between.
  button.edge(edge(ButtonEvent.DOWN, 0xffffff00));
  button.edge(edge(ButtonEvent.UP, 0x400));
  jest.advanceTimersByTime(1000);
  expect(actions).toEqual([{ button: 'main', action: 'long_press' }]);
});

it('forgets a hold on reset: no long press for a release that never comes', () => {
  const actions: ApiButtonEvent[] = [];
  const button = new DeviceButton({ longPressMs: 800, doublePressMs: 300 }, (e) => actions.push(e), recordingLog().log);
  button.edge(edge(ButtonEvent.DOWN, 1000));
  button.reset();
  jest.advanceTimersByTime(2000);
  expect(actions).toEqual([]);
});

it('logs a failing handler', () => {
  const logs = recordingLog();
  const button = new DeviceButton(
    { longPressMs: 800, doublePressMs: 300 },
    () => {
      throw new Error('no device');
    },
    logs.log,
  );
  button.edge(edge(ButtonEvent.DOWN, 0));
  button.edge(edge(ButtonEvent.UP, 100));
  expect(() => jest.advanceTimersByTime(1000)).not.toThrow();
  expect(logs.count(/handling the press of the display's button failed: no device/)).toBe(1);
});
