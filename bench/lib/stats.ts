'use strict';
/** Order statistics for benchmark samples. */

/** The p-th percentile (0-100) by the nearest-rank method; null for no samples. */
function percentile(samples, p) {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const median = (samples) => percentile(samples, 50);

/** a / b, or null when either is missing or b is 0. */
function ratio(a, b) {
  return a == null || b == null || b === 0 ? null : a / b;
}

module.exports = { percentile, median, ratio };
