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
