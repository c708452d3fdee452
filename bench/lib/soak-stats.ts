/** The soak run's verdicts: a straight line through each series' cycle-end values, and what passes. */

export interface Trend {
  /** Growth per cycle, by least squares over the measured cycles. */
  slope: number;
  /** The scatter of one cycle's value around that line (residual standard deviation). */
  noise: number;
  first: number;
  last: number;
}

/** Least-squares line through (cycle, value); needs at least two points. */
export function trend(values: readonly number[]): Trend {
  const n = values.length;
  if (n < 2) throw new Error('a trend needs at least two cycles');
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  values.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const slope = sxy / sxx;
  const residuals = values.map((y, x) => y - (meanY + slope * (x - meanX)));
  // n - 2 degrees of freedom: a line through two points fits them exactly.
  const noise = n > 2 ? Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / (n - 2)) : 0;
  return { slope, noise, first: values[0], last: values[n - 1] };
}

/** Growth per cycle below the noise: a count that holds still has slope 0; one leaked per cycle has slope 1 and no noise. */
export function growsBelowNoise(t: Trend): boolean {
  return t.slope <= t.noise;
}

/** RSS may grow at most this share over the run (issue 21). */
export const RSS_GROWTH_LIMIT = 0.05;

/** One cycle end's memory, as the RSS verdict reads it. */
export interface RssReading {
  rssBytes: number;
  /** The part of V8's young generation in RAM (the bridge's `youngGenerationResidentBytes`). */
  youngGenerationResidentBytes: number;
}

/**
 * The RSS verdict over the measured cycle ends: growth from the first to the last of RSS without
 * V8's young generation, at most `RSS_GROWTH_LIMIT`; raw RSS beside it.
 *
 * The young generation is V8's nursery for new objects: the bridge starts it small
 * (young-generation.ts) and V8 sizes it for the load, in steps, up to its fixed maximum (2 x 16 MB
 * on Node 20 and 22), and its pages come into RAM as allocations reach them. In a 3-minute soak
 * that raised RSS by 32 MB from cycle 3 on with no leak at all (issue 21: +24 % and +28 %), and it
 * may grow or shrink again whenever the load changes. Everything else the process holds, the heap's
 * old generation, malloc, worker threads, Buffers, still counts against the limit.
 */
export function rssVerdict(measured: readonly RssReading[]): {
  first: number;
  last: number;
  growth: number;
  rss_first: number;
  rss_last: number;
  rss_growth: number;
  young_generation_first: number;
  young_generation_last: number;
  limit: number;
  pass: boolean;
} {
  if (measured.length < 2) throw new Error('an RSS verdict needs at least two cycle ends');
  const a = measured[0];
  const b = measured[measured.length - 1];
  const first = a.rssBytes - a.youngGenerationResidentBytes;
  const last = b.rssBytes - b.youngGenerationResidentBytes;
  const growth = (last - first) / first;
  return {
    first,
    last,
    growth,
    rss_first: a.rssBytes,
    rss_last: b.rssBytes,
    rss_growth: (b.rssBytes - a.rssBytes) / a.rssBytes,
    young_generation_first: a.youngGenerationResidentBytes,
    young_generation_last: b.youngGenerationResidentBytes,
    limit: RSS_GROWTH_LIMIT,
    pass: growth <= RSS_GROWTH_LIMIT,
  };
}
