/**
 * Colours for screens: content holds `#rrggbb` strings (the parser has checked them), drawing
 * needs `Rgb`. Parsing happens once per content (see prepare.ts), never per frame.
 */
import { parseHexColor, type Rgb } from '../../display/frame';

/** `text` as a colour, or `fallback` when it is absent (or, defensively, not `#rrggbb`). */
export function colorOr(text: string | undefined, fallback: Rgb): Rgb {
  return (text === undefined ? undefined : parseHexColor(text)) ?? fallback;
}

/** The fully saturated, full-brightness colour of `degrees` (0-359, an integer). */
function hueColor(degrees: number): Rgb {
  const h = degrees / 60;
  const sector = Math.floor(h);
  const rising = Math.round(255 * (h - sector));
  const falling = Math.round(255 * (1 - (h - sector)));
  switch (sector) {
    case 0:
      return [255, rising, 0];
    case 1:
      return [falling, 255, 0];
    case 2:
      return [0, 255, rising];
    case 3:
      return [0, falling, 255];
    case 4:
      return [rising, 0, 255];
    default:
      return [255, 0, falling];
  }
}

// One colour a whole degree, made once: rainbow text repaints every frame without allocating,
// and hands the font colours that stay as they are (whenever the font reads them).
const HUES: readonly Rgb[] = Array.from({ length: 360 }, (_, degrees) => hueColor(degrees));

/** The rainbow's colour at `degrees` (any number; to the nearest whole degree). */
export function hue(degrees: number): Rgb {
  const whole = Math.round(degrees) % 360;
  return HUES[whole < 0 ? whole + 360 : whole] ?? HUES[0]!;
}

/** The colour `t` (0..1) of the way from `from` to `to`. */
export function mix(from: Rgb, to: Rgb, t: number): Rgb {
  const k = Math.min(1, Math.max(0, t));
  return [Math.round(from[0] + (to[0] - from[0]) * k), Math.round(from[1] + (to[1] - from[1]) * k), Math.round(from[2] + (to[2] - from[2]) * k)];
}
