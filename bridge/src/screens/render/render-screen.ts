/**
 * Renders a screen's content (ScreenContent, templates already resolved) into a frame, as it looks
 * `atMs` ms after the screen came up: scrolling, rainbow text and animated icons all count from
 * that moment. Pure: no MQTT, files or timers; the caller decides when to call it again, from
 * the RenderInfo it returns.
 *
 * Painting order: background (black by default) over the whole frame, then icon, text, chart,
 * progress bar, and the draw list last. Where each part goes: layout.ts.
 *
 * Content is read once per object (prepare.ts keeps what it worked out beside it): a screen that
 * changes, templates resolved anew included, must come as a new object, never the old one edited.
 */
import type { ScreenContent } from '@megabit/contract';
import { lineHeight } from '../../display/font/font';
import type { Rgb } from '../../display/frame';
import { drawIcon, type IconSource } from '../../icons/icon';
import { drawChart } from './chart';
import { drawPrepared } from './draw-list';
import { layoutScreen } from './layout';
import { prepareScreen } from './prepare';
import { drawProgress } from './progress';
import { drawScreenText } from './text';

export interface RenderContext {
  /** Ms since the screen came up (0 on its first frame). */
  readonly atMs: number;
  /** Where icon names are looked up; an icon it does not have is left out (and takes no room). */
  readonly icons: IconSource;
}

/** What the caller needs for timing the screen. */
export interface RenderInfo {
  /** The picture changes with time (scrolling or rainbow text, an animated icon): draw it again every `frameMs`. */
  readonly animated: boolean;
  /** Suggested ms between redraws while animated; 0 when not animated. */
  readonly frameMs: number;
  /** The text scrolls (it is wider than its space, or `scroll` is `always`). */
  readonly scrolling: boolean;
  /** Passes of the scrolling text completed at atMs (a pass: in at the right, out at the left); 0 when not scrolling. */
  readonly scrollPasses: number;
  /** Ms one pass of the scrolling text takes; 0 when not scrolling. */
  readonly scrollPassMs: number;
}

export function renderScreen(frame: Uint8Array, content: ScreenContent, ctx: RenderContext): RenderInfo {
  const screen = prepareScreen(content);
  const atMs = Number.isFinite(ctx.atMs) ? ctx.atMs : 0;
  fillFrame(frame, screen.background);

  const icon = screen.icon ? ctx.icons.get(screen.icon.name) : undefined;
  const layout = layoutScreen({
    textHeight: screen.text ? lineHeight(screen.text.font) : undefined,
    icon: icon && screen.icon ? { width: icon.width, height: icon.height, position: screen.icon.position } : undefined,
    chart: screen.chart !== undefined,
    progress: screen.progress !== undefined,
  });

  let animated = false;
  let frameMs = Infinity;
  if (icon && layout.icon) {
    drawIcon(frame, icon, layout.icon.x, layout.icon.y, atMs);
    if (icon.frames.length > 1) {
      animated = true;
      for (const f of icon.frames) frameMs = Math.min(frameMs, Math.max(1, f.delayMs));
    }
  }

  let scrolling = false;
  let scrollPasses = 0;
  let scrollPassMs = 0;
  if (screen.text && layout.text) {
    const motion = drawScreenText(frame, screen.text, layout.text, atMs);
    scrolling = motion.scrolling;
    scrollPasses = motion.passes;
    scrollPassMs = motion.passMs;
    if (motion.animated) {
      animated = true;
      frameMs = Math.min(frameMs, motion.frameMs);
    }
  }

  if (screen.chart && layout.chart) drawChart(frame, screen.chart, layout.chart);
  if (screen.progress && layout.progress) drawProgress(frame, screen.progress, layout.progress);
  for (const command of screen.draw) drawPrepared(frame, command);

  return { animated, frameMs: animated ? frameMs : 0, scrolling, scrollPasses, scrollPassMs };
}

function fillFrame(frame: Uint8Array, color: Rgb): void {
  const [r, g, b] = color;
  if (r === g && g === b) {
    frame.fill(r);
    return;
  }
  for (let i = 0; i + 2 < frame.length; i += 3) {
    frame[i] = r;
    frame[i + 1] = g;
    frame[i + 2] = b;
  }
}
