/**
 * A screen's `draw` list: primitives painted last, in list order, over everything else.
 * Coordinates are panel pixels (0,0 top left); fractions round to the nearest pixel. A primitive
 * with a coordinate or size beyond ±MAX_DRAW_COORD (or not a number) is left out: that bounds
 * the work a line or circle can ask for, whatever the payload says.
 */
import type { DrawCommand } from '@megabit/contract';
import { drawText, type FontName } from '../../display/font/font';
import { type Rgb, setPixel, WHITE } from '../../display/frame';
import { colorOr } from './color';
import { drawCircle, drawLine, drawRect } from './shapes';

export const MAX_DRAW_COORD = 4096;
/** The font of `text` primitives that name none (as the screen's text). */
export const DEFAULT_DRAW_FONT: FontName = 'small';

export type PreparedDraw =
  | { readonly kind: 'pixel'; readonly at: readonly number[]; readonly color: Rgb }
  | { readonly kind: 'line'; readonly at: readonly number[]; readonly color: Rgb }
  | { readonly kind: 'rect'; readonly at: readonly number[]; readonly color: Rgb; readonly fill: boolean }
  | { readonly kind: 'circle'; readonly at: readonly number[]; readonly color: Rgb; readonly fill: boolean }
  | { readonly kind: 'text'; readonly at: readonly number[]; readonly color: Rgb; readonly text: string; readonly font: FontName }
  | { readonly kind: 'bitmap'; readonly at: readonly number[]; readonly pixels: readonly (Rgb | undefined)[] };

/** Rounded coordinates, or undefined when one is missing, not finite or out of bounds. */
function coords(values: readonly number[], count: number): number[] | undefined {
  if (!Array.isArray(values) || values.length < count) return undefined;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_DRAW_COORD) return undefined;
    out.push(Math.round(v));
  }
  return out;
}

export function prepareDraw(command: DrawCommand): PreparedDraw | undefined {
  if ('pixel' in command) {
    const at = coords(command.pixel, 2);
    return at && { kind: 'pixel', at, color: colorOr(command.color, WHITE) };
  }
  if ('line' in command) {
    const at = coords(command.line, 4);
    return at && { kind: 'line', at, color: colorOr(command.color, WHITE) };
  }
  if ('rect' in command) {
    const at = coords(command.rect, 4);
    return at && { kind: 'rect', at, color: colorOr(command.color, WHITE), fill: command.fill === true };
  }
  if ('circle' in command) {
    const at = coords(command.circle, 3);
    return at && { kind: 'circle', at, color: colorOr(command.color, WHITE), fill: command.fill === true };
  }
  if ('text' in command) {
    const at = coords(command.at, 2);
    return at && { kind: 'text', at, color: colorOr(command.color, WHITE), text: String(command.text), font: command.font ?? DEFAULT_DRAW_FONT };
  }
  if ('bitmap' in command) {
    const at = coords(command.bitmap, 4);
    if (!at || !Array.isArray(command.pixels)) return undefined;
    const pixels = command.pixels.map((p) => (typeof p === 'string' ? colorOr(p, WHITE) : undefined));
    return { kind: 'bitmap', at, pixels };
  }
  return undefined;
}

export function drawPrepared(frame: Uint8Array, command: PreparedDraw): void {
  const at = command.at;
  switch (command.kind) {
    case 'pixel':
      setPixel(frame, at[0]!, at[1]!, command.color);
      return;
    case 'line':
      drawLine(frame, at[0]!, at[1]!, at[2]!, at[3]!, command.color);
      return;
    case 'rect':
      drawRect(frame, at[0]!, at[1]!, at[2]!, at[3]!, command.color, command.fill);
      return;
    case 'circle':
      drawCircle(frame, at[0]!, at[1]!, at[2]!, command.color, command.fill);
      return;
    case 'text':
      drawText(frame, command.text, at[0]!, at[1]!, command.color, command.font);
      return;
    case 'bitmap':
      drawBitmap(frame, at[0]!, at[1]!, at[2]!, at[3]!, command.pixels);
      return;
  }
}

/** `pixels` row by row, `width` a row; a missing or null entry leaves the pixel as it is. */
function drawBitmap(frame: Uint8Array, x: number, y: number, width: number, height: number, pixels: readonly (Rgb | undefined)[]): void {
  if (width <= 0 || height <= 0) return;
  const count = Math.min(pixels.length, width * height);
  for (let i = 0; i < count; i++) {
    const color = pixels[i];
    if (color) setPixel(frame, x + (i % width), y + Math.floor(i / width), color);
  }
}
