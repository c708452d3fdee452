/**
 * A light level mapped to a brightness through [lux, brightness] points, joined along the
 * logarithm of (1 + lux): eyes judge light by ratios, so 10 → 100 lux is as big a step as
 * 100 → 1000, and 0 lux still has a place on the scale.
 */

export type CurvePoint = readonly [lux: number, brightness: number];

/** The scale the curve and the smoothing work in. */
export function luxScale(lux: number): number {
  return Math.log10(1 + Math.max(0, lux));
}

/** Brightness (0-255, fractional) for a point on the lux scale; flat beyond the first and last points. */
export function curveAt(curve: readonly CurvePoint[], scaled: number): number {
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (scaled <= luxScale(first[0])) return first[1];
  if (scaled >= luxScale(last[0])) return last[1];
  for (let i = 1; i < curve.length; i++) {
    const x1 = luxScale(curve[i][0]);
    if (scaled <= x1) {
      const x0 = luxScale(curve[i - 1][0]);
      const share = (scaled - x0) / (x1 - x0);
      return curve[i - 1][1] + share * (curve[i][1] - curve[i - 1][1]);
    }
  }
  return last[1];
}
