/**
 * A screen's content in the form drawing wants: colours parsed, segments joined, text measured,
 * chart values scaled. Rendering runs for every frame of a screen that stays the same for
 * seconds, so this is done once per content object and kept beside it (content is treated as
 * immutable: a changed screen, or newly resolved templates, is a new object).
 */
import { DISPLAY_WIDTH, type DrawCommand, type ScreenContent, type ScreenText, type TextSegment } from '@megabit/contract';
import { visualOrder, type VisualChar } from '@megabit/fonts';
import { measureText, type FontName } from '../../display/font/font';
import { BLACK, type Rgb, WHITE } from '../../display/frame';
import { colorOr } from './color';
import { type PreparedDraw, prepareDraw } from './draw-list';

/**
 * The text's font when the content names none: the dense one, the font API's default too, so a
 * value with a unit fits beside an icon and text leaves a chart room below it.
 */
export const DEFAULT_FONT: FontName = 'small';
/** Scroll speed in pixels a second when the content names none (or one that is not positive). */
export const DEFAULT_SCROLL_SPEED = 20;
export const DEFAULT_PROGRESS_COLOR: Rgb = [0, 200, 83];
export const DEFAULT_PROGRESS_BACKGROUND: Rgb = [40, 40, 40];
export const DEFAULT_CHART_COLOR: Rgb = [0, 170, 255];

export interface PreparedText {
  /** All segments joined. */
  readonly value: string;
  /** `value` in display order (right-to-left runs turned), worked out once rather than every frame. */
  readonly ordered: readonly VisualChar[];
  readonly font: FontName;
  /** measureText(value, font). */
  readonly width: number;
  /**
   * Where a gradient reaches its second colour, relative to the text's left edge: where the
   * rightmost character starts (the last character, or the first of right-to-left text).
   */
  readonly gradientEnd: number;
  /** The text's colour: of every character, or of those a segment gives none. */
  readonly color: Rgb;
  /** With segments: one colour a code point. */
  readonly charColors: readonly Rgb[] | undefined;
  readonly rainbow: boolean;
  readonly gradient: readonly [Rgb, Rgb] | undefined;
  /** Each character's gradient colour, filled in by the first frame that draws it (text.ts). */
  readonly gradientColors: Array<Rgb | undefined>;
  readonly scroll: 'auto' | 'always' | 'never';
  /** Pixels a second, always positive. */
  readonly speed: number;
  /** Undefined: centred when the text fits, left-aligned when it neither fits nor scrolls. */
  readonly align: 'left' | 'center' | 'right' | undefined;
}

export interface PreparedChart {
  readonly type: 'bar' | 'line';
  /** Each value scaled to 0..1 between the minimum and maximum; 0.5 for all when they are equal. */
  readonly levels: Float64Array;
  readonly color: Rgb;
}

export interface PreparedScreen {
  readonly background: Rgb;
  readonly text: PreparedText | undefined;
  readonly icon: { readonly name: string; readonly position: 'left' | 'right' } | undefined;
  readonly progress: { readonly fraction: number; readonly color: Rgb; readonly background: Rgb } | undefined;
  readonly chart: PreparedChart | undefined;
  readonly draw: readonly PreparedDraw[];
}

const cache = new WeakMap<ScreenContent, PreparedScreen>();

export function prepareScreen(content: ScreenContent): PreparedScreen {
  let prepared = cache.get(content);
  if (!prepared) {
    prepared = {
      background: colorOr(content.background, BLACK),
      text: content.text === undefined ? undefined : prepareText(content.text),
      icon: prepareIcon(content.icon),
      progress: prepareProgress(content.progress),
      chart: content.chart ? prepareChart(content.chart.type, content.chart.values, content.chart.color) : undefined,
      draw: prepareDrawList(content.draw),
    };
    cache.set(content, prepared);
  }
  return prepared;
}

function isSegments(value: unknown): value is TextSegment[] {
  return Array.isArray(value);
}

function prepareText(text: string | TextSegment[] | ScreenText): PreparedText {
  const spec: ScreenText = typeof text === 'string' || isSegments(text) ? { value: text } : text;
  const font = spec.font ?? DEFAULT_FONT;
  const base = colorOr(spec.color, WHITE);
  let value: string;
  let charColors: Rgb[] | undefined;
  if (isSegments(spec.value)) {
    value = '';
    const colors: Rgb[] = [];
    charColors = colors;
    for (const segment of spec.value) {
      const color = colorOr(segment.c, base);
      // One colour a code point: drawText counts characters by code point too.
      for (const char of segment.t) {
        value += char;
        colors.push(color);
      }
    }
  } else {
    value = spec.value;
  }
  // One line: a newline or tab (from a template's value, say) is a space, one for one so that
  // segment colours stay on their characters.
  value = value.replace(/[^\S ]/gu, ' ');
  const width = measureText(value, font);
  const chars = [...value];
  const rightmost = startsRightToLeft(value) ? chars[0] : chars[chars.length - 1];
  const gradient = spec.gradient ? ([colorOr(spec.gradient[0], base), colorOr(spec.gradient[1], base)] as const) : undefined;
  const speed = spec.speed !== undefined && Number.isFinite(spec.speed) && spec.speed > 0 ? spec.speed : DEFAULT_SCROLL_SPEED;
  return {
    value,
    ordered: visualOrder(value),
    font,
    width,
    gradientEnd: rightmost === undefined ? 0 : width - measureText(rightmost, font),
    color: base,
    charColors,
    rainbow: spec.rainbow === true,
    gradient,
    gradientColors: [],
    scroll: spec.scroll ?? 'auto',
    speed,
    align: spec.align,
  };
}

// Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan and
// their presentation forms). The font shows a line right to left when its first letter is one.
const RTL_LETTER = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;
const LETTER = /\p{L}/u;

function startsRightToLeft(text: string): boolean {
  for (const char of text) if (LETTER.test(char)) return RTL_LETTER.test(char);
  return false;
}

function prepareIcon(icon: ScreenContent['icon']): PreparedScreen['icon'] {
  if (icon === undefined) return undefined;
  if (typeof icon === 'string') return { name: icon, position: 'left' };
  return { name: icon.name, position: icon.position ?? 'left' };
}

function prepareProgress(progress: ScreenContent['progress']): PreparedScreen['progress'] {
  if (progress === undefined) return undefined;
  const spec = typeof progress === 'number' ? { value: progress } : progress;
  const value = Number.isFinite(spec.value) ? Math.min(100, Math.max(0, spec.value)) : 0;
  return {
    fraction: value / 100,
    color: colorOr(spec.color, DEFAULT_PROGRESS_COLOR),
    background: colorOr(spec.background, DEFAULT_PROGRESS_BACKGROUND),
  };
}

function prepareChart(type: 'bar' | 'line', values: readonly number[], color: string | undefined): PreparedChart {
  // A value that is not a finite number is left out rather than poisoning the scale; of more
  // values than there are columns, the newest (last) ones show.
  const finite = values.filter((v) => Number.isFinite(v)).slice(-DISPLAY_WIDTH);
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const levels = new Float64Array(finite.length);
  for (let i = 0; i < finite.length; i++) levels[i] = max > min ? (finite[i]! - min) / (max - min) : 0.5;
  return { type: type === 'line' ? 'line' : 'bar', levels, color: colorOr(color, DEFAULT_CHART_COLOR) };
}

function prepareDrawList(draw: readonly DrawCommand[] | undefined): PreparedDraw[] {
  const list: PreparedDraw[] = [];
  for (const command of draw ?? []) {
    const prepared = prepareDraw(command);
    if (prepared) list.push(prepared);
  }
  return list;
}
