/**
 * The page's button: the bridge's classifier fed with the page's clock, with the timings the
 * bridge served (or the bridge's defaults when it served none or nonsense).
 */
import type { ButtonAction } from '@megabit/contract';
import { DEFAULT_BUTTON_TIMINGS } from '@megabit/contract';
import { ButtonGestures, buttonTimings } from '../../simulator/button-gestures';

describe('buttonTimings', () => {
  it('takes the timings the bridge serves', () => {
    expect(buttonTimings({ base_topic: 'megabit', button: { long_press_ms: 500, double_press_ms: 250 } })).toEqual({ longPressMs: 500, doublePressMs: 250 });
  });

  it('falls back to the defaults for missing or nonsense values', () => {
    expect(buttonTimings(undefined)).toEqual(DEFAULT_BUTTON_TIMINGS);
    expect(buttonTimings({ button: 'fast' })).toEqual(DEFAULT_BUTTON_TIMINGS);
    expect(buttonTimings({ button: { long_press_ms: -1, double_press_ms: '300' } })).toEqual(DEFAULT_BUTTON_TIMINGS);
    expect(buttonTimings({ button: { long_press_ms: Number.NaN, double_press_ms: 1e9 } })).toEqual(DEFAULT_BUTTON_TIMINGS);
    expect(buttonTimings({ button: { double_press_ms: 300 } })).toEqual({ longPressMs: DEFAULT_BUTTON_TIMINGS.longPressMs, doublePressMs: 300 });
  });
});

describe('ButtonGestures', () => {
  let now: number;
  let emitted: ButtonAction[];
  let gestures: ButtonGestures;

  function wait(ms: number): void {
    now += ms;
    jest.advanceTimersByTime(ms);
  }

  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    emitted = [];
    gestures = new ButtonGestures(
      (a) => emitted.push(a),
      { longPressMs: 500, doublePressMs: 250 },
      () => now,
    );
  });

  afterEach(() => {
    gestures.cancel();
    jest.useRealTimers();
  });

  it('classifies with the timings it was given: a 500 ms hold is a long press, while held', () => {
    gestures.down();
    wait(499);
    expect(emitted).toEqual([]);
    wait(1);
    expect(emitted).toEqual(['long_press']);
    gestures.up();
    wait(1000);
    expect(emitted).toEqual(['long_press']);
  });

  it('reports a click as a press after the double-press time, and two quick clicks as a double press', () => {
    gestures.down();
    wait(80);
    gestures.up();
    wait(249);
    expect(emitted).toEqual([]);
    wait(1);
    expect(emitted).toEqual(['press']);
    gestures.down();
    wait(60);
    gestures.up();
    wait(200);
    gestures.down();
    wait(60);
    gestures.up();
    wait(1000);
    expect(emitted).toEqual(['press', 'double_press']);
  });

  it('forgets a gesture that was cancelled', () => {
    gestures.down();
    wait(100);
    gestures.cancel();
    wait(2000);
    gestures.up();
    wait(2000);
    expect(emitted).toEqual([]);
  });
});
