/**
 * The soak's RSS verdict (issue 21): V8's young generation, which V8 sizes for the load up to a
 * fixed maximum, is read apart; any other growth of RSS over the run still fails it, read from a
 * median of the cycle ends at each end of the run so that one reading's swing decides nothing.
 */
import { median, rssVerdict, rssWindow } from '../lib/soak-stats';

const MB = 1024 * 1024;
const cycles = (n: number, reading: (cycle: number) => { rest: number; young: number }) =>
  Array.from({ length: n }, (_, cycle) => {
    const { rest, young } = reading(cycle);
    return { rssBytes: (rest + young) * MB, youngGenerationResidentBytes: young * MB };
  });
/** RSS outside the young generation only, the young generation flat at 16 MB. */
const outside = (n: number, rest: (cycle: number) => number) => cycles(n, (c) => ({ rest: rest(c), young: 16 }));

/**
 * ±15 % on single readings, in a fixed pattern (no randomness: the test must fail or pass the
 * same way every time): every third reading 15 % up, every fifth 15 % down (where both fall, up),
 * so that up to two readings in a row swing and a window of five never has three that do.
 */
const swing = (c: number): number => (c % 3 === 1 ? 1.15 : c % 5 === 3 ? 0.85 : 1);

describe('rssVerdict', () => {
  it('fails a steady leak of 6 % over the run, whatever the run length', () => {
    for (const n of [4, 10, 20, 50, 200]) {
      const verdict = rssVerdict(outside(n, (c) => 100 * (1 + (0.06 * c) / (n - 1))));
      // Within 0.1 %: the growth is relative to the first median, a little above the first reading.
      expect(Math.abs(verdict.growth - 0.06)).toBeLessThan(0.001);
      expect(verdict.pass).toBe(false);
    }
  });

  it('passes a steady rise of 4 % over the run', () => {
    expect(rssVerdict(outside(50, (c) => 100 * (1 + (0.04 * c) / 49))).pass).toBe(true);
  });

  it('passes a flat series with ±15 % swings of single readings', () => {
    for (const n of [6, 10, 20, 51, 200]) {
      const verdict = rssVerdict(outside(n, (c) => 100 * swing(c)));
      expect(verdict.growth).toBe(0);
      expect(verdict.pass).toBe(true);
    }
  });

  it('fails a steady leak of 6 % under the same swings', () => {
    const verdict = rssVerdict(outside(51, (c) => 100 * (1 + (0.06 * c) / 50) * swing(c)));
    expect(verdict.pass).toBe(false);
  });

  it('fails a step of 8 % in the last fifth of the run, held to the end', () => {
    const verdict = rssVerdict(outside(50, (c) => (c >= 40 ? 108 : 100)));
    expect(verdict.growth).toBeGreaterThan(0.08);
    expect(verdict.pass).toBe(false);
  });

  it('fails a step of 8 % over the last 4 of 20 cycle ends (a step over fewer than half the last window reads as a swing)', () => {
    expect(rssVerdict(outside(20, (c) => (c >= 16 ? 108 : 100))).pass).toBe(false);
  });

  it('counts a warm-up at the start against the limit: nothing is left out', () => {
    // 10 % over the first quarter, then flat (the shape of the malloc arenas' warm-up in issue 21).
    const verdict = rssVerdict(outside(50, (c) => 100 + (Math.min(c, 12) * 10) / 12));
    expect(verdict.pass).toBe(false);
  });

  it('passes a young generation coming into RAM a few cycles in, the rest flat (RSS itself +23 %)', () => {
    const verdict = rssVerdict(cycles(12, (c) => ({ rest: 96, young: c < 3 ? 8 : c < 5 ? 24 : 32 })));
    expect(verdict.rss_growth).toBeGreaterThan(0.2);
    expect(verdict.growth).toBe(0);
    expect(verdict.pass).toBe(true);
    expect(verdict.young_generation_first).toBe(8 * MB);
    expect(verdict.young_generation_last).toBe(32 * MB);
  });

  it('fails a creep of 1 MB a cycle outside the young generation, even while the young generation shrinks', () => {
    const verdict = rssVerdict(cycles(12, (c) => ({ rest: 96 + c, young: c < 6 ? 32 : 16 })));
    expect(verdict.rss_growth).toBeLessThan(0.05);
    expect(verdict.growth).toBeCloseTo(11 / 97, 5);
    expect(verdict.pass).toBe(false);
  });

  it('holds RSS to the same 5 % when the young generation does not change', () => {
    expect(rssVerdict(cycles(4, (c) => ({ rest: 100 + c * 1.6, young: 16 }))).pass).toBe(true);
    expect(rssVerdict(cycles(4, (c) => ({ rest: 100 + c * 1.8, young: 16 }))).pass).toBe(false);
  });

  it('needs two cycle ends', () => {
    expect(() => rssVerdict(cycles(1, () => ({ rest: 96, young: 8 })))).toThrow('at least two cycle ends');
  });
});

describe('rssWindow', () => {
  it('reads single cycle ends for the shortest runs, a median of 3 from 6 on, a quarter of long runs, never overlapping', () => {
    expect([2, 3, 4, 5, 6, 12, 13, 50, 400].map(rssWindow)).toEqual([1, 1, 2, 2, 3, 3, 3, 12, 100]);
    for (let n = 2; n <= 100; n++) expect(2 * rssWindow(n)).toBeLessThanOrEqual(n);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
