import { blankFrame, Compositor, drawText, glyphFor, hasGlyph, measureText, type CompositorOptions } from '../../src/display';
import { BANNER_HEIGHT, BANNER_TOP, BANNER_TEXT_TOP } from '../../src/display/banner';
import { byRowThenColumn, frameDifference, litPixels, ManualClock, patternPixels, RecordingOutput, rgbAt, solidFrame } from '../helpers/display';
import { recordingLog } from '../helpers/logs';

const BLUE = solidFrame(0, 0, 200);
const GREEN = solidFrame(0, 150, 0);
/** Longer than one frame slot at the default 30 fps. */
const SLOT = 34;
const WHITE: [number, number, number] = [255, 255, 255];
const EDGE_WHITE: [number, number, number] = [89, 89, 89];
const hex = (rgb: [number, number, number]): string => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

function setup(options: CompositorOptions = {}) {
  const output = new RecordingOutput();
  const { log, lines } = recordingLog();
  const compositor = new Compositor([output], { log, ...options });
  return { compositor, output, lines };
}

const BANNER_BOTTOM = BANNER_TOP + BANNER_HEIGHT - 1;

/** Rows 11-26 hold the banner; everything else must be the app frame. */
function expectAppOutsideBanner(frame: Uint8Array, app: Uint8Array): void {
  expect([BANNER_TOP, BANNER_BOTTOM]).toEqual([11, 26]);
  for (let y = 0; y < 32; y++) {
    if (y >= BANNER_TOP && y <= BANNER_BOTTOM) continue;
    for (let x = 0; x < 64; x++) expect(rgbAt(frame, x, y)).toEqual(rgbAt(app, x, y));
  }
}

/** Leftmost column with a text pixel (not edge, not background) in the banner's text rows. */
function leftmostTextColumn(frame: Uint8Array): number | undefined {
  const columns = litPixels(frame)
    .map((p) => p.split(',').map(Number) as [number, number])
    .filter(([, y]) => y >= 13 && y <= 19)
    .map(([x]) => x);
  return columns.length ? Math.min(...columns) : undefined;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('Compositor', () => {
  it('start pushes the first frame; app frames go out, identical ones are not sent again', () => {
    const { compositor, output } = setup();
    compositor.start();
    expect(output.frames).toHaveLength(1);
    expect(litPixels(output.last)).toEqual([]);
    jest.advanceTimersByTime(SLOT);
    compositor.setAppFrame(BLUE);
    expect(output.frames).toHaveLength(2);
    expect(frameDifference(output.last, BLUE)).toBe('same');
    jest.advanceTimersByTime(1000);
    compositor.setAppFrame(BLUE.slice());
    jest.advanceTimersByTime(1000);
    expect(output.frames).toHaveLength(2);
    expect(frameDifference(output.last, BLUE)).toBe('same');
  });

  it('copies the app frame, so later changes by the caller do not leak in', () => {
    const { compositor, output } = setup();
    compositor.start();
    const frame = BLUE.slice();
    compositor.setAppFrame(frame);
    frame.fill(0);
    jest.advanceTimersByTime(SLOT);
    expect(frameDifference(output.last, BLUE)).toBe('same');
  });

  it('frames closer together than maxFps allows are merged into the latest one', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 10, clock });
    compositor.start();
    clock.advance(1000);
    // A quiet second: two frames may go back to back (the burst), the rest wait for the cap.
    compositor.setAppFrame(BLUE);
    compositor.setAppFrame(GREEN);
    compositor.setAppFrame(solidFrame(1, 2, 3));
    compositor.setAppFrame(solidFrame(4, 5, 6));
    expect(output.frames).toHaveLength(3);
    clock.advance(99);
    expect(output.frames).toHaveLength(3);
    clock.advance(1);
    expect(output.frames).toHaveLength(4);
    expect(frameDifference(output.last, solidFrame(4, 5, 6))).toBe('same');
    expect(clock.pending).toBe(0);
  });

  it('composes a change at once after a quiet interval, even right behind another frame (no fixed tick)', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 30, clock });
    compositor.start();
    clock.advance(1000 + 7);
    compositor.setAppFrame(BLUE);
    expect(output.frames).toHaveLength(2);
    // 5 ms later, well inside one 33 ms interval: a notification shows at once, not at a slot.
    clock.advance(5);
    compositor.notify({ text: 'Hi' });
    expect(output.frames).toHaveLength(3);
    expectAppOutsideBanner(output.last, BLUE);
    clock.advance(0); // the turn ends
    expect(clock.pending).toBe(1); // the notification's end, no compose waiting
  });

  it('holds changes faster than the cap to maxFps, and the latest change is the one shown', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 20, clock });
    compositor.start();
    const before = output.frames.length;
    // A new app frame every millisecond for two seconds.
    for (let t = 1; t <= 2000; t++) {
      clock.advance(1);
      compositor.setAppFrame(solidFrame(t % 250, t >> 8, 1));
    }
    clock.advance(100);
    const pushed = output.frames.length - before;
    // At most the burst plus 20 a second; and it kept up, not a first and a last frame only.
    expect(pushed).toBeLessThanOrEqual(2 + 2 * 20);
    expect(pushed).toBeGreaterThanOrEqual(2 * 20 - 1);
    expect(frameDifference(output.last, solidFrame(2000 % 250, 2000 >> 8, 1))).toBe('same');
  });

  it('a notification at 50 commands/s is handed to the outputs at once, never waiting for a token of the cap', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 30, clock });
    compositor.start();
    compositor.setAppFrame(BLUE);
    // 250 commands 20 ms apart, with the app drawing a frame of its own 30 times a second
    // (capped) in between: every command shows in the frame handed on in its own call.
    for (let i = 0; i < 250; i++) {
      for (let t = 0; t < 20; t++) {
        clock.advance(1);
        if ((i * 20 + t) % 33 === 0) compositor.setAppFrame(solidFrame(0, 0, 100 + (i % 100)));
      }
      const before = output.frames.length;
      const colour: [number, number, number] = [255, 128, i];
      compositor.notify({ text: 'Hi', id: 'bench', color: hex(colour), duration_ms: 60_000 });
      expect(output.frames).toHaveLength(before + 1);
      expect(rgbAt(output.last, 29, 17)).toEqual(colour);
    }
    compositor.stop();
  });

  it('an app frame marked as a reaction is handed on at once; one of its own ticks still waits for the cap', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 10, clock });
    compositor.start();
    clock.advance(1000);
    // The burst of two, then the bucket is empty: an app tick waits 100 ms for a token...
    compositor.setAppFrame(BLUE);
    compositor.setAppFrame(GREEN);
    clock.advance(0);
    const afterBurst = output.frames.length;
    clock.advance(1);
    compositor.setAppFrame(solidFrame(1, 2, 3));
    expect(output.frames).toHaveLength(afterBurst);
    // ...a reaction (a button answered) does not, and takes the waiting tick's place.
    clock.advance(1);
    compositor.setAppFrame(solidFrame(4, 5, 6), true);
    expect(output.frames).toHaveLength(afterBurst + 1);
    expect(frameDifference(output.last, solidFrame(4, 5, 6))).toBe('same');
    clock.advance(0);
    expect(clock.pending).toBe(0);
    // The reaction found no token and left no debt: the next tick waits one interval, no more.
    clock.advance(2);
    compositor.setAppFrame(solidFrame(7, 8, 9));
    expect(output.frames).toHaveLength(afterBurst + 1);
    clock.advance(95);
    expect(output.frames).toHaveLength(afterBurst + 1);
    clock.advance(5);
    expect(output.frames).toHaveLength(afterBurst + 2);
    expect(frameDifference(output.last, solidFrame(7, 8, 9))).toBe('same');
  });

  it("an app's own ticks stay capped during a flood of notifications, and get the whole cap back after it", () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 20, clock });
    compositor.start();
    // For one second: an app tick every millisecond and a notification every 5 ms (200/s).
    for (let t = 1; t <= 1000; t++) {
      clock.advance(1);
      compositor.setAppFrame(solidFrame(t % 250, 1 + (t >> 8), 0));
      if (t % 5 === 0) compositor.notify({ text: 'Hi', id: 'flood', color: hex([255, 128, t % 250]), duration_ms: 60_000 });
    }
    clock.advance(0);
    const duringFlood = output.frames.length;
    // Each reaction one frame, the ticks at most the cap and its burst on top.
    expect(duringFlood).toBeLessThanOrEqual(1 + 200 + 2 + 20);
    compositor.dismiss();
    clock.advance(1000);
    // Then ticks alone for a second: held to the cap, and not held back by the flood (no debt).
    const before = output.frames.length;
    for (let t = 1; t <= 1000; t++) {
      clock.advance(1);
      compositor.setAppFrame(solidFrame(t % 250, 0, 1 + (t >> 8)));
    }
    const pushed = output.frames.length - before;
    expect(pushed).toBeGreaterThanOrEqual(20 - 1);
    expect(pushed).toBeLessThanOrEqual(20 + 2);
  });

  it('a flood of commands in one turn is composed twice at most, and the latest one wins', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 30, clock });
    compositor.start();
    clock.advance(1000);
    const before = output.frames.length;
    const colourOf = (i: number): [number, number, number] => [255, 128 + (i >> 8), i & 0xff];
    // 10 000 notifications read in one go (one turn: the clock does not move).
    for (let i = 0; i < 10_000; i++) compositor.notify({ text: 'Hi', id: 'burst', color: hex(colourOf(i)), duration_ms: 60_000 });
    // The first one at once...
    expect(output.frames).toHaveLength(before + 1);
    expect(rgbAt(output.last, 29, 17)).toEqual(colourOf(0));
    // ...the rest in one frame when the turn ends: the last one sent.
    clock.advance(0);
    expect(output.frames).toHaveLength(before + 2);
    expect(rgbAt(output.last, 29, 17)).toEqual(colourOf(9999));
    clock.advance(0);
    expect(output.frames).toHaveLength(before + 2);
    expect(clock.pending).toBe(1); // the notification's end only
    compositor.stop();
  });

  it("marks a frame that shows notification news as one that may preempt an app frame's, and only that", () => {
    const clock = new ManualClock();
    const news: boolean[] = [];
    const output = {
      name: 'news',
      start: async () => {},
      stop: async () => {},
      showFrame: (_f: Uint8Array, n?: { preempt: boolean }) => news.push(n?.preempt ?? false),
    };
    const compositor = new Compositor([output], { clock, maxFps: 30 });
    compositor.start();
    compositor.setAppFrame(BLUE);
    clock.advance(100);
    compositor.notify({ text: 'Hi', duration_ms: 1000 });
    clock.advance(100);
    compositor.setAppFrame(GREEN);
    clock.advance(1000);
    expect(news).toEqual([false, false, true, false, true]);
    compositor.stop();
  });

  it('a change during a scroll is composed at once when the cap has a frame to spare', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ maxFps: 20, scrollSpeedPxPerS: 10, clock });
    compositor.start();
    compositor.notify({ text: 'Scrolling along for quite some time' });
    clock.advance(1000);
    const before = output.frames.length;
    // The next scroll step is up to 100 ms away; the app's new frame does not wait for it.
    clock.advance(10);
    compositor.setAppFrame(BLUE);
    expect(output.frames).toHaveLength(before + 1);
    expect(rgbAt(output.last, 0, 0)).toEqual([0, 0, 200]);
  });

  it('a notification shows as a banner over the app and goes away after its duration', () => {
    const { compositor, output } = setup();
    compositor.start();
    compositor.setAppFrame(BLUE);
    compositor.notify({ text: 'Hi' });
    jest.advanceTimersByTime(SLOT);
    const frame = output.last;
    expectAppOutsideBanner(frame, BLUE);
    for (let x = 0; x < 64; x++) {
      expect(rgbAt(frame, x, BANNER_TOP)).toEqual(EDGE_WHITE);
      expect(rgbAt(frame, x, BANNER_BOTTOM)).toEqual(EDGE_WHITE);
      expect(rgbAt(frame, x, BANNER_TOP + 1)).toEqual([0, 0, 0]);
      expect(rgbAt(frame, x, BANNER_BOTTOM - 1)).toEqual([0, 0, 0]);
    }
    // "Hi" is 6 columns wide (Galmuri7's H, a column, its i), centred from x=29; its capitals sit
    // on the line's baseline, 11 rows below the line's top (row 13): rows 17-23.
    const text = litPixels(frame).filter((p) => {
      const y = Number(p.split(',')[1]);
      return y > BANNER_TOP && y < BANNER_BOTTOM;
    });
    const H = patternPixels(['#..#', '#..#', '#..#', '####', '#..#', '#..#', '#..#'], 29, BANNER_TEXT_TOP + 4);
    const i = patternPixels(['#', '.', '#', '#', '#', '#', '#'], 34, BANNER_TEXT_TOP + 4);
    expect(text.sort(byRowThenColumn)).toEqual([...H, ...i].sort(byRowThenColumn));
    expect(rgbAt(frame, 29, 17)).toEqual(WHITE);

    jest.advanceTimersByTime(4999 - SLOT);
    expect(rgbAt(output.last, 29, 17)).toEqual(WHITE);
    jest.advanceTimersByTime(1);
    expect(frameDifference(output.last, BLUE)).toBe('same');
    expect(compositor.notification).toBeUndefined();
  });

  it('shows accented text and symbols in the banner, none as the missing-glyph box', () => {
    const clock = new ManualClock();
    const { compositor, output } = setup({ clock, maxFps: 20, scrollSpeedPxPerS: 20 });
    compositor.start();
    const text = 'Température 21 °C';
    expect(measureText(text)).toBe(76);
    compositor.notify({ text });
    // Wider than the panel, so it scrolls in from the right: 60 columns in 3 s.
    clock.advance(3000);
    const expected = blankFrame();
    drawText(expected, text, 64 - 60, BANNER_TEXT_TOP, WHITE);
    const inBand = (p: string) => {
      const y = Number(p.split(',')[1]);
      return y > BANNER_TOP && y < BANNER_BOTTOM;
    };
    expect(litPixels(output.last).filter(inBand)).toEqual(litPixels(expected));
    for (const char of 'é°') {
      expect(hasGlyph(char)).toBe(true);
      expect(glyphFor(char)).not.toBe(glyphFor('\u{E000}'));
    }
  });

  it('draws the text and edges in the notification colour', () => {
    const { compositor, output } = setup();
    compositor.start();
    compositor.notify({ text: 'Hi', color: '#ff0000' });
    jest.advanceTimersByTime(SLOT);
    expect(rgbAt(output.last, 29, 17)).toEqual([255, 0, 0]);
    expect(rgbAt(output.last, 0, 11)).toEqual([89, 0, 0]);
  });

  it('a higher priority takes over the banner, and the preempted one returns', () => {
    const { compositor, output } = setup();
    const events: string[] = [];
    compositor.onNotificationEvent((e) => events.push(`${e.type}:${e.notification.text}`));
    compositor.start();
    compositor.notify({ text: 'I', duration_ms: 3000 });
    jest.advanceTimersByTime(1000);
    compositor.notify({ text: 'II', priority: 'critical', duration_ms: 1000 });
    // "I" alone is 1 column at x=31; "II" is 3 columns at x=30 (its I's at 30 and 32).
    expect([rgbAt(output.last, 30, 17), rgbAt(output.last, 31, 17)]).toEqual([WHITE, [0, 0, 0]]);
    jest.advanceTimersByTime(1000);
    expect([rgbAt(output.last, 30, 17), rgbAt(output.last, 31, 17)]).toEqual([[0, 0, 0], WHITE]);
    expect(events).toEqual(['shown:I', 'preempted:I', 'shown:II', 'finished:II', 'shown:I']);
  });

  it('a hold notification stays until dismissed and owns the button meanwhile', () => {
    const { compositor, output } = setup();
    compositor.start();
    compositor.setAppFrame(GREEN);
    expect(compositor.notification).toBeUndefined();
    compositor.notify({ text: 'Door', hold: true });
    jest.advanceTimersByTime(3_600_000);
    expect(compositor.notification?.hold).toBe(true);
    expect(frameDifference(output.last, GREEN)).not.toBe('same');
    expect(compositor.dismiss()).toBe(true);
    expect(compositor.notification).toBeUndefined();
    expect(frameDifference(output.last, GREEN)).toBe('same');
  });

  it('long text scrolls right to left at the set speed, and no timer is left once it is gone', () => {
    // 20 px/s at 20 fps: one pixel a frame, on whole milliseconds.
    const { compositor, output } = setup({ scrollSpeedPxPerS: 20, maxFps: 20 });
    compositor.start();
    jest.advanceTimersByTime(100);
    const text = 'A notification far too long for one panel';
    compositor.notify({ text, repeat: 1 });
    expect(leftmostTextColumn(output.last)).toBeUndefined();
    jest.advanceTimersByTime(1000);
    expect(leftmostTextColumn(output.last)).toBe(64 - 20);
    jest.advanceTimersByTime(1000);
    expect(leftmostTextColumn(output.last)).toBe(64 - 40);
    const framesBefore = output.frames.length;
    jest.advanceTimersByTime(500);
    expect(output.frames.length - framesBefore).toBe(10);
    const passMs = Math.ceil(((64 + measureText(text)) * 1000) / 20);
    jest.advanceTimersByTime(passMs - 2500);
    expect(compositor.notification).toBeUndefined();
    expect(litPixels(output.last)).toEqual([]);
    // The turn that ended the notification ends too (its end-of-turn check, nothing to compose).
    jest.advanceTimersByTime(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('nothing runs while idle or while a still notification shows, apart from its own end', () => {
    const { compositor, output } = setup();
    compositor.start();
    compositor.setAppFrame(BLUE);
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    compositor.notify({ text: 'Still' });
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(1);
    const sent = output.frames.length;
    jest.advanceTimersByTime(4000);
    expect(output.frames).toHaveLength(sent);
  });

  it('power off shows black and is passed on; brightness is passed on and never dims the frame', () => {
    const { compositor, output } = setup();
    compositor.start();
    compositor.setAppFrame(BLUE);
    compositor.setBrightness(10);
    expect(output.brightness).toEqual([10]);
    jest.advanceTimersByTime(100);
    expect(frameDifference(output.last, BLUE)).toBe('same');
    compositor.setPower(false);
    expect(output.power).toEqual([false]);
    jest.advanceTimersByTime(100);
    expect(litPixels(output.last)).toEqual([]);
    compositor.notify({ text: 'Hidden' });
    compositor.setAppFrame(GREEN);
    jest.advanceTimersByTime(100);
    expect(litPixels(output.last)).toEqual([]);
    compositor.setPower(true);
    jest.advanceTimersByTime(100);
    expectAppOutsideBanner(output.last, GREEN);
    expect(() => compositor.setBrightness(256)).toThrow(/brightness must be an integer from 0 to 255/);
    expect(() => compositor.setBrightness(1.5)).toThrow(/brightness/);
  });

  it('counts the frames actually output during the last second', () => {
    const { compositor } = setup({ maxFps: 30 });
    compositor.start();
    for (let i = 0; i < 10; i++) {
      compositor.setAppFrame(solidFrame(i + 1, 0, 0));
      jest.advanceTimersByTime(50);
    }
    expect(compositor.fps).toBe(11);
    compositor.setAppFrame(solidFrame(10, 0, 0));
    jest.advanceTimersByTime(500);
    // The start frame and the first app frame (at once, the cap's burst) went out a second ago.
    expect(compositor.fps).toBe(9);
    jest.advanceTimersByTime(1000);
    expect(compositor.fps).toBe(0);
  });

  it('stop clears every timer, also mid-scroll; start sends the frame again', () => {
    const { compositor, output } = setup();
    compositor.start();
    compositor.notify({ text: 'Scrolling along for quite some time' });
    jest.advanceTimersByTime(500);
    expect(jest.getTimerCount()).toBe(2);
    compositor.stop();
    expect(jest.getTimerCount()).toBe(0);
    const sent = output.frames.length;
    compositor.start();
    expect(output.frames).toHaveLength(sent + 1);
  });

  it('a failing output is logged once and does not stop the others', () => {
    const good = new RecordingOutput('good');
    const bad = new RecordingOutput('bad');
    bad.showFrame = () => {
      throw new Error('port gone');
    };
    const { log, lines } = recordingLog();
    const compositor = new Compositor([bad, good], { log });
    compositor.start();
    compositor.setAppFrame(BLUE);
    jest.advanceTimersByTime(100);
    compositor.setAppFrame(GREEN);
    expect(frameDifference(good.last, GREEN)).toBe('same');
    expect(lines.filter(({ level, message: m }) => level === 'error' && m.includes('"bad"') && m.includes('port gone'))).toHaveLength(1);
  });

  it('bad frames and options are refused with clear errors', () => {
    const { compositor, output } = setup();
    compositor.start();
    expect(() => compositor.setAppFrame(new Uint8Array(10))).toThrow(/app frame must be a Uint8Array of 6144 bytes.*got 10 bytes/);
    expect(() => compositor.setAppFrame('x' as unknown as Uint8Array)).toThrow(/got string/);
    expect(output.frames).toHaveLength(1);
    expect(() => new Compositor([], { maxFps: 0 })).toThrow(/maxFps/);
    expect(() => new Compositor([], { maxQueued: -1 })).toThrow(/maxQueued/);
  });

  it('runs on an injected clock as well', () => {
    jest.useRealTimers();
    const clock = new ManualClock();
    const { compositor, output } = setup({ clock, maxFps: 20, scrollSpeedPxPerS: 20 });
    compositor.start();
    compositor.setAppFrame(BLUE);
    // Right behind the start frame: the cap's burst lets it out at once.
    expect(output.frames).toHaveLength(2);
    clock.advance(50);
    expect(frameDifference(output.last, BLUE)).toBe('same');
    compositor.notify({ text: 'Short', duration_ms: 2000 });
    clock.advance(50);
    expect(rgbAt(output.last, 0, 11)).toEqual(EDGE_WHITE);
    expect(clock.pending).toBe(1);
    clock.advance(1949);
    expect(rgbAt(output.last, 0, 11)).toEqual(EDGE_WHITE);
    clock.advance(1);
    expect(frameDifference(output.last, BLUE)).toBe('same');
    compositor.notify({ text: 'This one is too long to fit, so it scrolls' });
    clock.advance(1000);
    expect(leftmostTextColumn(output.last)).toBe(64 - 20);
    compositor.stop();
    expect(clock.pending).toBe(0);
  });
});
