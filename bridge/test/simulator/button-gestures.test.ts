import type { ButtonAction } from '@megabit/contract';
import { ButtonGestures, DOUBLE_PRESS_WINDOW_MS, LONG_PRESS_MS, type Timers } from '../../simulator/button-gestures';

/** A hand-driven clock: timers fire only when the test advances time. */
class ManualTimers implements Timers {
  now = 0;
  private next = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  set(callback: () => void, ms: number): unknown {
    const id = ++this.next;
    this.pending.set(id, { at: this.now + ms, callback });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = until;
  }
}

function setup(): { gestures: ButtonGestures; timers: ManualTimers; emitted: ButtonAction[] } {
  const timers = new ManualTimers();
  const emitted: ButtonAction[] = [];
  return { gestures: new ButtonGestures((a) => emitted.push(a), timers), timers, emitted };
}

describe('ButtonGestures', () => {
  it('reports a short click as a press once the double-press window has passed', () => {
    const { gestures, timers, emitted } = setup();
    gestures.down();
    timers.advance(80);
    gestures.up();
    timers.advance(DOUBLE_PRESS_WINDOW_MS - 1);
    expect(emitted).toEqual([]);
    timers.advance(1);
    expect(emitted).toEqual(['press']);
  });

  it('reports a hold as a long press while still held, and nothing on release', () => {
    const { gestures, timers, emitted } = setup();
    gestures.down();
    timers.advance(LONG_PRESS_MS - 1);
    expect(emitted).toEqual([]);
    timers.advance(1);
    expect(emitted).toEqual(['long_press']);
    timers.advance(2000);
    gestures.up();
    timers.advance(2000);
    expect(emitted).toEqual(['long_press']);
  });

  it('reports two quick clicks as one double press', () => {
    const { gestures, timers, emitted } = setup();
    gestures.down();
    timers.advance(60);
    gestures.up();
    timers.advance(DOUBLE_PRESS_WINDOW_MS - 50);
    gestures.down();
    timers.advance(60);
    gestures.up();
    timers.advance(2000);
    expect(emitted).toEqual(['double_press']);
  });

  it('reports two clicks further apart than the window as two presses', () => {
    const { gestures, timers, emitted } = setup();
    for (let i = 0; i < 2; i++) {
      gestures.down();
      timers.advance(60);
      gestures.up();
      timers.advance(DOUBLE_PRESS_WINDOW_MS + 100);
    }
    expect(emitted).toEqual(['press', 'press']);
  });

  it('forgets a gesture that was cancelled', () => {
    const { gestures, timers, emitted } = setup();
    gestures.down();
    timers.advance(100);
    gestures.cancel();
    timers.advance(2000);
    gestures.up();
    timers.advance(2000);
    expect(emitted).toEqual([]);
  });

  it('ignores a release without a press', () => {
    const { gestures, timers, emitted } = setup();
    gestures.up();
    timers.advance(2000);
    expect(emitted).toEqual([]);
  });
});
