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

/** The median of a non-empty list (of two middle values, their mean). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * How many cycle ends each end of the run is read over: a quarter of them, at least 3 once there
 * are 6 (a median of 3 already ignores one reading that swings), and never so many that the two
 * windows overlap; 1 each for 2 or 3 cycle ends, which is then the plain first and last reading.
 */
export function rssWindow(n: number): number {
  return Math.min(Math.floor(n / 2), Math.max(3, Math.floor(n / 4)));
}

/**
 * Growth over the whole run from a median at each end: the medians of the first and last `k`
 * readings, their rise per cycle between the windows' middles, times the run's length in cycles
 * (n - 1). A steady leak is then read at its full size whatever `k` is (the medians alone would
 * see only the part between the windows' middles), and a reading that swings does not move a
 * median unless half a window swings with it.
 */
function growthOverRun(values: readonly number[], k: number): { first: number; last: number; growth: number } {
  const n = values.length;
  const first = median(values.slice(0, k));
  const last = median(values.slice(n - k));
  // The windows' middles are (k - 1) / 2 and n - 1 - (k - 1) / 2: n - k cycles apart.
  const growth = ((last - first) / first) * ((n - 1) / (n - k));
  return { first, last, growth };
}

/**
 * The RSS verdict over the measured cycle ends (cycle 1 on): RSS without V8's young generation
 * may grow by at most `RSS_GROWTH_LIMIT` over the run, read from a median of the cycle ends at
 * each end of it (`growthOverRun`, `rssWindow`); raw RSS beside it, read the same way.
 *
 * Why medians: one cycle-end reading swings by several MB (a worker's memory not yet given back,
 * malloc trimming or not), so first-against-last judged two such swings; a slow leak moves every
 * reading, and so the medians, and a step that holds to the end moves the last window's median
 * once it covers half of it. Nothing is left out at the start: a warm-up counts against the limit.
 *
 * The young generation is V8's nursery for new objects: the bridge starts it small
 * (young-generation.ts) and V8 sizes it for the load, in steps, up to its fixed maximum (2 x 16 MB
 * on Node 20 and 22), and its pages come into RAM as allocations reach them. In a 3-minute soak
 * that raised RSS by 32 MB from cycle 3 on with no leak at all (issue 21: +24 % and +28 %), and it
 * may grow or shrink again whenever the load changes. Everything else the process holds, the heap's
 * old generation, malloc, worker threads, Buffers, still counts against the limit.
 */
export function rssVerdict(measured: readonly RssReading[]): {
  /** Cycle ends in each window. */
  window: number;
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
  const k = rssWindow(measured.length);
  const outside = growthOverRun(
    measured.map((r) => r.rssBytes - r.youngGenerationResidentBytes),
    k,
  );
  const rss = growthOverRun(
    measured.map((r) => r.rssBytes),
    k,
  );
  const young = measured.map((r) => r.youngGenerationResidentBytes);
  return {
    window: k,
    first: outside.first,
    last: outside.last,
    growth: outside.growth,
    rss_first: rss.first,
    rss_last: rss.last,
    rss_growth: rss.growth,
    young_generation_first: median(young.slice(0, k)),
    young_generation_last: median(young.slice(young.length - k)),
    limit: RSS_GROWTH_LIMIT,
    pass: outside.growth <= RSS_GROWTH_LIMIT,
  };
}
