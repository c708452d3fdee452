/**
 * The one button classifier: every hold duration is exactly one action, long presses fire while
 * held, double presses, and the source's own edge times deciding when edges arrive late.
 * Edge times are given explicitly (the source's clock); jest's fake timers are this machine's.
 */
import { ButtonClassifier, DEFAULT_BUTTON_TIMINGS, type ButtonAction } from '../src';

const LONG = 800;
const DOUBLE = 400;

describe('ButtonClassifier', () => {
  let actions: ButtonAction[];
  let classifier: ButtonClassifier;
  /** The source's clock; edges arrive when they happen unless a test says otherwise. */
  let t: number;

  function make(options: Partial<ConstructorParameters<typeof ButtonClassifier>[0]> = {}): ButtonClassifier {
    return new ButtonClassifier({ longPressMs: LONG, doublePressMs: DOUBLE, onAction: (a) => actions.push(a), ...options });
  }
  function wait(ms: number): void {
    t += ms;
    jest.advanceTimersByTime(ms);
  }
  function hold(ms: number): void {
    classifier.down(t);
    wait(ms);
    classifier.up(t);
  }

  beforeEach(() => {
    jest.useFakeTimers();
    actions = [];
    t = 10_000;
    classifier = make();
  });

  afterEach(() => {
    classifier.reset();
    jest.useRealTimers();
  });

  it('defaults to a long press at 800 ms and a double-press window of 400 ms', () => {
    expect(DEFAULT_BUTTON_TIMINGS).toEqual({ longPressMs: 800, doublePressMs: 400 });
  });

  it.each([
    [1, 'press'],
    [120, 'press'],
    [499, 'press'],
    [500, 'press'],
    [650, 'press'],
    [799, 'press'],
    [800, 'long_press'],
    [801, 'long_press'],
    [1300, 'long_press'],
    [10_000, 'long_press'],
  ] as const)('turns a hold of %i ms into exactly one %s', (ms, expected) => {
    hold(ms);
    wait(DOUBLE + LONG + 1000);
    expect(actions).toEqual([expected]);
  });

  it('reports a long press while the button is still held, at exactly long_press_ms', () => {
    classifier.down(t);
    wait(LONG - 1);
    expect(actions).toEqual([]);
    wait(1);
    expect(actions).toEqual(['long_press']);
    wait(5000);
    classifier.up(t);
    wait(5000);
    expect(actions).toEqual(['long_press']);
  });

  it('reports a press double_press_ms after the release, not before', () => {
    hold(100);
    wait(DOUBLE - 1);
    expect(actions).toEqual([]);
    wait(1);
    expect(actions).toEqual(['press']);
  });

  it('makes a press that starts less than double_press_ms after a release a double press, reported at once', () => {
    hold(80);
    wait(DOUBLE - 1);
    classifier.down(t);
    expect(actions).toEqual(['double_press']);
    wait(60);
    classifier.up(t);
    wait(5000);
    expect(actions).toEqual(['double_press']);
  });

  it('ends the gesture with the second press of a double, however long it is held', () => {
    hold(80);
    wait(100);
    hold(3000);
    wait(5000);
    expect(actions).toEqual(['double_press']);
  });

  it('counts two clicks double_press_ms apart (by the source clock) as two presses, even when the release came late', () => {
    classifier.down(t);
    wait(80);
    const releasedAt = t;
    wait(150); // the UP reaches us 150 ms late ...
    classifier.up(releasedAt);
    wait(DOUBLE - 150); // ... so its wait has not run out when the next press, 400 ms later, arrives
    classifier.down(t);
    expect(actions).toEqual(['press']);
    wait(80);
    classifier.up(t);
    wait(DOUBLE);
    expect(actions).toEqual(['press', 'press']);
  });

  it('makes a third quick click a new gesture, and a hold after a press a long press', () => {
    for (let i = 0; i < 3; i++) {
      hold(60);
      wait(100);
    }
    wait(DOUBLE);
    expect(actions).toEqual(['double_press', 'press']);
    hold(100);
    wait(DOUBLE + 50);
    hold(LONG + 100);
    wait(DOUBLE);
    expect(actions).toEqual(['double_press', 'press', 'press', 'long_press']);
  });

  it('judges a hold by the source times when the DOWN arrived late: long, at the release', () => {
    const downAt = t;
    wait(300); // the DOWN arrives 300 ms after it happened
    classifier.down(downAt);
    wait(LONG - 200);
    expect(actions).toEqual([]);
    classifier.up(t); // held 900 ms at the source, 600 ms since the DOWN arrived
    expect(actions).toEqual(['long_press']);
    wait(5000);
    expect(actions).toEqual(['long_press']);
  });

  it('judges a 650 ms hold a press even though its DOWN arrived late', () => {
    const downAt = t;
    wait(250);
    classifier.down(downAt);
    wait(400);
    classifier.up(t);
    wait(DOUBLE);
    expect(actions).toEqual(['press']);
  });

  it('uses the timings it is given', () => {
    classifier = make({ longPressMs: 300, doublePressMs: 150 });
    hold(299);
    wait(149);
    expect(actions).toEqual([]);
    wait(1);
    expect(actions).toEqual(['press']);
    hold(300);
    expect(actions).toEqual(['press', 'long_press']);
    wait(500);
    hold(50);
    wait(149);
    hold(50);
    expect(actions).toEqual(['press', 'long_press', 'double_press']);
  });

  it('measures across a wrap of the source clock with the given difference', () => {
    classifier = make({ elapsedMs: (from, to) => (to - from) >>> 0 });
    classifier.down(0xffff_ff00);
    wait(300);
    classifier.up(0x0000_002c); // 300 ms later, after the u32 uptime wrapped
    wait(DOUBLE);
    expect(actions).toEqual(['press']);
    classifier.down(0x0000_0100);
    classifier.up(0x0000_0100 + LONG);
    expect(actions).toEqual(['press', 'long_press']);
  });

  it('ignores a release without a press, and restarts the hold on a DOWN whose UP was lost', () => {
    classifier.up(t);
    wait(5000);
    expect(actions).toEqual([]);
    classifier.down(t);
    wait(LONG - 100);
    classifier.down(t); // the release in between was lost
    wait(LONG - 1);
    expect(actions).toEqual([]);
    wait(1);
    expect(actions).toEqual(['long_press']);
  });

  it('forgets a held button or a waiting click on reset', () => {
    classifier.down(t);
    wait(100);
    classifier.reset();
    wait(5000);
    classifier.up(t);
    hold(100);
    classifier.reset();
    wait(5000);
    expect(actions).toEqual([]);
    hold(100);
    wait(DOUBLE);
    expect(actions).toEqual(['press']);
  });
});
