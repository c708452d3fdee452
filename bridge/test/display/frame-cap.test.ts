/**
 * The frame cap as a token bucket, on a hand-moved clock: a frame after a quiet spell goes at
 * once (also right behind an unrelated one), a steady stream is held to maxFps.
 */
import { FrameCap } from '../../src/display/frame-cap';

describe('FrameCap', () => {
  it('lets the first frame after a quiet interval go at once', () => {
    const cap = new FrameCap(10, 1);
    expect(cap.waitMs(0)).toBe(0);
    cap.take(0);
    expect(cap.waitMs(40)).toBeCloseTo(60);
    // A whole interval without a frame: the next one goes at once, not at a tick of a fixed grid.
    expect(cap.waitMs(137)).toBe(0);
  });

  it('with the default burst, a change right behind an unrelated frame still goes at once', () => {
    const cap = new FrameCap(30);
    cap.take(1000);
    expect(cap.waitMs(1005)).toBe(0);
    cap.take(1005);
    // Two back to back used both tokens: the third waits for one to come back.
    expect(cap.waitMs(1006)).toBeGreaterThan(0);
  });

  it('holds a stream faster than the cap to maxFps (plus the burst) over any span', () => {
    const cap = new FrameCap(20);
    const sent: number[] = [];
    // A change every millisecond for five seconds; each frame goes when the cap says it may.
    let nextAllowed = 0;
    for (let t = 0; t < 5000; t++) {
      if (t < nextAllowed) continue;
      const wait = cap.waitMs(t);
      if (wait > 0) {
        nextAllowed = t + wait;
        continue;
      }
      cap.take(t);
      sent.push(t);
    }
    expect(sent.length).toBeLessThanOrEqual(2 + 5 * 20);
    expect(sent.length).toBeGreaterThanOrEqual(5 * 20 - 1);
    for (let i = 0; i < sent.length; i++) {
      const inSecond = sent.filter((t) => t >= sent[i] && t < sent[i] + 1000).length;
      expect(inSecond).toBeLessThanOrEqual(20 + 1);
    }
  });

  it('after a long quiet spell keeps only the burst, not a second of saved frames', () => {
    const cap = new FrameCap(30);
    cap.take(0);
    for (let i = 0; i < 2; i++) {
      expect(cap.waitMs(60_000)).toBe(0);
      cap.take(60_000);
    }
    expect(cap.waitMs(60_000)).toBeGreaterThan(0);
  });

  it('reset refills it', () => {
    const cap = new FrameCap(1, 1);
    cap.take(0);
    expect(cap.waitMs(1)).toBeGreaterThan(0);
    cap.reset();
    expect(cap.waitMs(2)).toBe(0);
  });

  it('refuses a cap or burst that is not a positive number', () => {
    expect(() => new FrameCap(0)).toThrow(/maxFps must be a number above 0/);
    expect(() => new FrameCap(Number.NaN)).toThrow(/maxFps/);
    expect(() => new FrameCap(30, 0)).toThrow(/burst must be a whole number/);
    expect(() => new FrameCap(30, 1.5)).toThrow(/burst/);
  });

  it('a frame that did not wait (a reaction) uses a token when there is one, and never leaves a debt', () => {
    const cap = new FrameCap(10, 2);
    cap.take(0);
    cap.takeIfAny(0);
    expect(cap.waitMs(0)).toBeCloseTo(100);
    // Fifty more at once: the bucket stays empty, not fifty frames in debt.
    for (let i = 0; i < 50; i++) cap.takeIfAny(1);
    expect(cap.waitMs(1)).toBeCloseTo(100);
    expect(cap.waitMs(101)).toBe(0);
  });
});
