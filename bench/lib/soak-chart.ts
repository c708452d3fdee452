/**
 * The soak run's plot: one small chart per series over the run's minutes, stacked in one SVG,
 * the samples as a line and the cycle-end readings (the ones the verdicts use) as dots.
 */

export interface ChartSeries {
  name: string;
  unit: string;
  /** [minutes since start, value] */
  points: Array<[number, number]>;
  cycleEnds: Array<[number, number]>;
}

const WIDTH = 720;
const PANEL = 120;
const MARGIN = { left: 80, right: 20, top: 26, bottom: 22 };

export function soakChartSvg(title: string, series: readonly ChartSeries[]): string {
  const height = series.length * PANEL + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const [i, s] of series.entries()) parts.push(panel(s, 30 + i * PANEL));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function panel(s: ChartSeries, top: number): string {
  const all = [...s.points, ...s.cycleEnds];
  const xMax = Math.max(1e-9, ...all.map(([x]) => x));
  let yMin = Math.min(...all.map(([, y]) => y));
  let yMax = Math.max(...all.map(([, y]) => y));
  if (!Number.isFinite(yMin)) yMin = yMax = 0;
  // A flat series gets a band around it, so it shows as a flat line in the middle.
  if (yMax - yMin < 1e-9) {
    yMin -= 1;
    yMax += 1;
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL - MARGIN.top - MARGIN.bottom;
  const x = (v: number): number => MARGIN.left + (v / xMax) * plotW;
  const y = (v: number): number => top + MARGIN.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const line = s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
  const dots = s.cycleEnds.map(([px, py]) => `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="2.5" fill="#d62728"/>`).join('');
  return [
    `<text x="10" y="${top + 14}" font-weight="bold">${escapeXml(s.name)} (${escapeXml(s.unit)})</text>`,
    `<rect x="${MARGIN.left}" y="${top + MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#ccc"/>`,
    `<text x="${MARGIN.left - 4}" y="${top + MARGIN.top + 4}" text-anchor="end">${format(yMax)}</text>`,
    `<text x="${MARGIN.left - 4}" y="${top + MARGIN.top + plotH}" text-anchor="end">${format(yMin)}</text>`,
    `<text x="${MARGIN.left + plotW}" y="${top + PANEL - 6}" text-anchor="end">${format(xMax)} min</text>`,
    s.points.length > 1 ? `<polyline fill="none" stroke="#1f77b4" stroke-width="1.2" points="${line}"/>` : '',
    dots,
  ].join('\n');
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
