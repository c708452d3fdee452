/**
 * The soak's RSS verdict (issue 21): V8's young generation, which V8 sizes for the load up to a
 * fixed maximum, is read apart; any other growth of RSS still fails the run.
 */
import { rssVerdict } from '../lib/soak-stats';

const MB = 1024 * 1024;
const cycles = (n: number, reading: (cycle: number) => { rest: number; young: number }) =>
  Array.from({ length: n }, (_, cycle) => {
    const { rest, young } = reading(cycle);
    return { rssBytes: (rest + young) * MB, youngGenerationResidentBytes: young * MB };
  });

describe('rssVerdict', () => {
  it('passes a young generation coming into RAM a few cycles in, the rest flat (RSS itself +23 %)', () => {
    const verdict = rssVerdict(cycles(12, (c) => ({ rest: 96, young: c < 3 ? 8 : c < 5 ? 24 : 32 })));
    expect(verdict.rss_growth).toBeCloseTo(24 / 104, 5);
    expect(verdict.growth).toBe(0);
    expect(verdict.pass).toBe(true);
    expect(verdict.young_generation_first).toBe(8 * MB);
    expect(verdict.young_generation_last).toBe(32 * MB);
  });

  it('fails a creep of 1 MB a cycle outside the young generation, even while the young generation shrinks', () => {
    const verdict = rssVerdict(cycles(12, (c) => ({ rest: 96 + c, young: c < 6 ? 32 : 16 })));
    expect(verdict.rss_growth).toBeLessThan(0.05);
    expect(verdict.growth).toBeCloseTo(11 / 96, 5);
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
