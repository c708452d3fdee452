/**
 * What a screen (issue 15's JSON screens, `renderScreen`) costs per frame: each kind of content
 * rendered back to back for a short run, as µs per render, the median of several runs taken in
 * rounds; the baseline is a frame filled pixel by pixel in plain JavaScript in the same process.
 * Times advance 33 ms a render, so scrolling, rainbows and animated icons do their work.
 */
import type { ScreenContent } from '@megabit/contract';
import { type Icon, type IconSource, renderScreen } from 'megabit-bridge';
import { median, ratio } from './lib/stats';

/** Issue 15's goal: a screen with text, icon and chart renders in under this. */
export const TARGET_MS = 0.5;
const TARGET_SCREEN = 'text + icon + chart';

export interface ScreenFigures {
  runs: number;
  us_per_render: number | null;
  us_per_render_min: number;
  us_per_render_max: number;
}

export interface ScreensResult {
  rounds: number;
  ms_per_run: number;
  baseline: { what: string } & ScreenFigures;
  screens: Array<{ screen: string; ratio_to_baseline: number | null } & ScreenFigures>;
  target: { screen: string; ms: number; met: boolean | null };
}

/** An 8x8 icon of two frames (a GIF's worth of work per frame), built in place of the icon store. */
function benchIcon(): Icon {
  const frame = (shift: number) => {
    const rgba = new Uint8Array(8 * 8 * 4);
    for (let i = 0; i < 64; i++) {
      const lit = (i + shift) % 3 !== 0;
      rgba.set([255, 200, 0, lit ? 255 : 0], i * 4);
    }
    return { rgba, delayMs: 200 };
  };
  return { name: 'sun', width: 8, height: 8, frames: [frame(0), frame(1)] };
}

const SERIES = Array.from({ length: 48 }, (_, i) => 20 + 5 * Math.sin(i / 4));

const SCREENS: Array<{ name: string; content: () => ScreenContent }> = [
  { name: 'text', content: () => ({ text: '21.5 C' }) },
  {
    name: 'scrolling text, segments',
    content: () => ({
      text: [
        { t: 'Washing machine: ', c: '#ffffff' },
        { t: 'done, 2 h 14 min', c: '#00ff00' },
      ],
    }),
  },
  { name: 'text + icon', content: () => ({ text: { value: '21.5 C', color: '#ffcc00' }, icon: 'sun' }) },
  { name: 'chart', content: () => ({ chart: { type: 'bar', values: SERIES } }) },
  { name: TARGET_SCREEN, content: () => ({ text: '21.5 C', icon: 'sun', chart: { type: 'line', values: SERIES } }) },
  {
    name: 'draw list (12 primitives)',
    content: () => ({
      draw: [
        { rect: [0, 0, 64, 32], color: '#102040' },
        { circle: [16, 16, 12], color: '#ffcc00', fill: true },
        { circle: [16, 16, 14], color: '#ff8800' },
        { line: [0, 31, 63, 0], color: '#ffffff' },
        { line: [0, 0, 63, 31], color: '#ffffff' },
        { rect: [36, 4, 24, 10], color: '#00ff00', fill: true },
        { rect: [35, 3, 26, 12], color: '#ffffff' },
        { text: '42', at: [40, 18], color: '#ff00ff' },
        { pixel: [1, 1], color: '#ff0000' },
        { pixel: [62, 30], color: '#ff0000' },
        { bitmap: [50, 20, 8, 8], pixels: Array.from({ length: 64 }, (_, i) => (i % 2 ? '#00ffff' : null)) },
        { circle: [56, 24, 6], color: '#0000ff', fill: true },
      ],
    }),
  },
  {
    name: 'everything (rainbow scrolling text, icon, chart, progress, draw)',
    content: () => ({
      text: { value: 'Everything at once on one screen', rainbow: true },
      icon: { name: 'sun', position: 'right' },
      chart: { type: 'bar', values: SERIES },
      progress: { value: 40, color: '#00ff00' },
      background: '#000010',
      draw: [{ line: [0, 0, 63, 0], color: '#ffffff' }],
    }),
  },
];

/** The times of successive frames at 30 fps: 33, 66, ... ms. */
function frameTimes(): () => number {
  let atMs = 0;
  return () => {
    atMs += 33;
    return atMs;
  };
}

/** `render` back to back for `ms`: µs a call. */
function run(render: () => void, ms: number): number {
  let calls = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 20; i++) render();
    calls += 20;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return (elapsed * 1000) / calls;
}

function figures(samples: number[]): ScreenFigures {
  return { runs: samples.length, us_per_render: median(samples), us_per_render_min: Math.min(...samples), us_per_render_max: Math.max(...samples) };
}

export function measureScreens({ rounds = 5, msPerRun = 200 } = {}): ScreensResult {
  const icon = benchIcon();
  const icons: IconSource = { get: (name) => (name === icon.name ? icon : undefined) };
  const frame = new Uint8Array(64 * 32 * 3);

  let shade = 0;
  const baseline = () => {
    shade = (shade + 1) & 255;
    for (let i = 0; i < frame.length; i += 3) {
      frame[i] = shade;
      frame[i + 1] = 255 - shade;
      frame[i + 2] = 64;
    }
  };
  const subjects = [
    { name: 'baseline', render: baseline },
    ...SCREENS.map(({ name, content }) => {
      // The same content object frame after frame, as a screen in the rotation is drawn.
      const shown = content();
      const nextMs = frameTimes();
      return { name, render: () => void renderScreen(frame, shown, { atMs: nextMs(), icons }) };
    }),
    (() => {
      // A content object new every frame (a caller re-resolving templates each time): the
      // renderer's per-content preparation each time too.
      const make = SCREENS.find((s) => s.name === TARGET_SCREEN)!.content;
      const nextMs = frameTimes();
      return { name: `${TARGET_SCREEN}, new content object each frame`, render: () => void renderScreen(frame, make(), { atMs: nextMs(), icons }) };
    })(),
  ];

  const samples = subjects.map(() => [] as number[]);
  for (const s of subjects) run(s.render, 20); // warm-up: compilation
  for (let round = 0; round < rounds; round++) {
    for (const [i, s] of subjects.entries()) samples[i]!.push(run(s.render, msPerRun));
  }

  const [base, ...screens] = subjects.map((s, i) => ({ screen: s.name, ...figures(samples[i]!) }));
  const target = screens.find((s) => s.screen === TARGET_SCREEN)!;
  return {
    rounds,
    ms_per_run: msPerRun,
    baseline: { what: 'a frame filled pixel by pixel in plain JS', ...figures(samples[0]!) },
    screens: screens.map((s) => ({ ...s, ratio_to_baseline: ratio(s.us_per_render, base!.us_per_render) })),
    target: { screen: TARGET_SCREEN, ms: TARGET_MS, met: target.us_per_render == null ? null : target.us_per_render / 1000 < TARGET_MS },
  };
}

// `node bench/dist/screens.js` measures only this (no broker, qemu or bridge process needed).
if (require.main === module) process.stdout.write(`${JSON.stringify(measureScreens(), null, 2)}\n`);
