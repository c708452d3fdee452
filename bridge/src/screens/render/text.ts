/**
 * A screen's text in its area: aligned when it fits, scrolling through the area when it does not
 * (or when told to), painted in one colour, per-segment colours, a gradient or a moving rainbow,
 * and clipped to the area so it never runs over the icon beside it.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import { drawText, lineHeight, type TextPaint } from '../../display/font/font';
import type { Rgb } from '../../display/frame';
import { hue, mix } from './color';
import type { Rect } from './layout';
import type { PreparedText } from './prepare';

/**
 * Text fits its area when it leaves this many columns free on either side (as a notification's
 * text does on the panel); wider text scrolls under `scroll: auto`.
 */
export const FIT_MARGIN = 1;
/** Hue difference between neighbouring characters of rainbow text. */
export const RAINBOW_DEGREES_PER_CHAR = 30;
/** How fast the rainbow moves: hues travel rightwards through the text, a full turn in 3 s. */
export const RAINBOW_DEGREES_PER_MS = 0.12;
/** Redraw interval for rainbow text (unless scrolling asks for a shorter one): 4 degrees of hue a frame. */
export const RAINBOW_FRAME_MS = 33;

export interface TextMotion {
  readonly scrolling: boolean;
  /** Completed passes at atMs (0 when not scrolling). */
  readonly passes: number;
  /** How long one pass takes, ms (0 when not scrolling). */
  readonly passMs: number;
  /** The text changes with time: it scrolls or is a rainbow. */
  readonly animated: boolean;
  /** Suggested ms between redraws while animated. */
  readonly frameMs: number;
}

// What the paint functions read. Rendering is synchronous and single-threaded, so module state
// set just before drawText spares a closure on every frame. The colours they return are never
// changed afterwards, so the font may keep them as long as it likes.
let paintText: PreparedText | undefined;
let paintAtMs = 0;
let paintLeft = 0;

function rainbowPaint(charIndex: number): Rgb {
  return hue(charIndex * RAINBOW_DEGREES_PER_CHAR - paintAtMs * RAINBOW_DEGREES_PER_MS);
}

/**
 * A character's gradient colour depends only on where it sits in the text, which never changes:
 * worked out the first time the character is drawn, kept with the text.
 */
function gradientPaint(charIndex: number, x: number): Rgb {
  const text = paintText!;
  let color = text.gradientColors[charIndex];
  if (!color) {
    const [from, to] = text.gradient!;
    color = mix(from, to, text.gradientEnd > 0 ? (x - paintLeft) / text.gradientEnd : 0);
    text.gradientColors[charIndex] = color;
  }
  return color;
}

function segmentPaint(charIndex: number): Rgb {
  const text = paintText!;
  return text.charColors?.[charIndex] ?? text.color;
}

function paintFor(text: PreparedText): TextPaint {
  if (text.rainbow) return rainbowPaint;
  if (text.gradient) return gradientPaint;
  if (text.charColors) return segmentPaint;
  return text.color;
}

/** Draws `text` in `area` as it is `atMs` ms after the screen came up. */
export function drawScreenText(frame: Uint8Array, text: PreparedText, area: Rect, atMs: number): TextMotion {
  const height = lineHeight(text.font);
  const y = area.y + Math.floor((area.height - height) / 2);
  const fits = text.width <= area.width - 2 * FIT_MARGIN;
  const scrolling = area.width > 0 && (text.scroll === 'always' || (text.scroll === 'auto' && !fits));

  let x: number;
  let passes = 0;
  let passMs = 0;
  if (scrolling) {
    // A pass: the text enters at the area's right edge and leaves at its left edge.
    const passLength = area.width + text.width;
    const travelled = Math.floor((Math.max(0, atMs) * text.speed) / 1000);
    passes = Math.floor(travelled / passLength);
    passMs = (passLength * 1000) / text.speed;
    x = area.x + area.width - (travelled % passLength);
  } else {
    const align = text.align ?? (fits ? 'center' : 'left');
    x = align === 'left' ? area.x : align === 'right' ? area.x + area.width - text.width : area.x + Math.floor((area.width - text.width) / 2);
  }

  paintText = text;
  paintAtMs = atMs;
  paintLeft = x;
  const inside = x >= area.x && x + text.width <= area.x + area.width && y >= area.y && y + height <= area.y + area.height;
  if (inside) drawText(frame, text.ordered, x, y, paintFor(text), text.font);
  else drawClipped(frame, text, x, y, height, area);
  paintText = undefined;

  const animated = scrolling || text.rainbow;
  const scrollFrameMs = scrolling ? Math.max(1, Math.round(1000 / text.speed)) : Infinity;
  const frameMs = animated ? Math.min(scrollFrameMs, text.rainbow ? RAINBOW_FRAME_MS : Infinity) : 0;
  return { scrolling, passes, passMs, animated, frameMs };
}

// The font draws clipped to the panel only: text that overflows its area is drawn on a copy of
// the rows it covers, and only the area's part of them is copied back.
const scratch = new Uint8Array(FRAME_BYTES);
const ROW_BYTES = DISPLAY_WIDTH * 3;

function drawClipped(frame: Uint8Array, text: PreparedText, x: number, y: number, height: number, area: Rect): void {
  const top = Math.max(0, y, area.y);
  const bottom = Math.min(DISPLAY_HEIGHT, y + height, area.y + area.height);
  const left = Math.max(0, area.x);
  const right = Math.min(DISPLAY_WIDTH, area.x + area.width);
  if (top >= bottom || left >= right) return;
  scratch.set(frame.subarray(top * ROW_BYTES, bottom * ROW_BYTES), top * ROW_BYTES);
  drawText(scratch, text.ordered, x, y, paintFor(text), text.font);
  for (let row = top; row < bottom; row++) {
    const start = row * ROW_BYTES + left * 3;
    frame.set(scratch.subarray(start, row * ROW_BYTES + right * 3), start);
  }
}
