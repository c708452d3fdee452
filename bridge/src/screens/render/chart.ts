/**
 * Charts from a list of numbers, scaled so the smallest value is the bottom row and the largest
 * the top row of the area (all equal: mid-height).
 *
 * - bar: the values share the width in equal slots (the leftover columns split evenly on both
 *   sides); a bar fills its slot but for one blank column when slots are 3 columns or wider,
 *   and is at least one row tall, so the smallest value still shows.
 * - line: the values spread over the whole width, the first at the left edge and the last at the
 *   right, joined by straight lines; a single value is a flat line across.
 */
import type { Rect } from './layout';
import type { PreparedChart } from './prepare';
import { drawLine, fillRect } from './shapes';

export function drawChart(frame: Uint8Array, chart: PreparedChart, area: Rect): void {
  const n = chart.levels.length;
  if (n === 0 || area.width <= 0 || area.height <= 0) return;
  if (chart.type === 'bar') drawBars(frame, chart, area);
  else drawLineChart(frame, chart, area);
}

/** The row of a level (0..1) in the area, 0 at the bottom row. */
function rowOf(level: number, area: Rect): number {
  return area.y + area.height - 1 - Math.round(level * (area.height - 1));
}

function drawBars(frame: Uint8Array, chart: PreparedChart, area: Rect): void {
  const n = chart.levels.length;
  const slot = Math.max(1, Math.floor(area.width / n));
  const barWidth = slot >= 3 ? slot - 1 : slot;
  const left = area.x + Math.max(0, Math.floor((area.width - n * slot) / 2));
  const bottom = area.y + area.height;
  for (let i = 0; i < n; i++) {
    const top = rowOf(chart.levels[i]!, area);
    fillRect(frame, left + i * slot, top, barWidth, bottom - top, chart.color);
  }
}

function drawLineChart(frame: Uint8Array, chart: PreparedChart, area: Rect): void {
  const n = chart.levels.length;
  if (n === 1) {
    fillRect(frame, area.x, rowOf(chart.levels[0]!, area), area.width, 1, chart.color);
    return;
  }
  let prevX = area.x;
  let prevY = rowOf(chart.levels[0]!, area);
  for (let i = 1; i < n; i++) {
    const x = area.x + Math.round((i * (area.width - 1)) / (n - 1));
    const y = rowOf(chart.levels[i]!, area);
    drawLine(frame, prevX, prevY, x, y, chart.color);
    prevX = x;
    prevY = y;
  }
}
