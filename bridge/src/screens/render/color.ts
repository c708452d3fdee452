/**
 * Colours for screens: content holds `#rrggbb` strings (the parser has checked them), drawing
 * needs `Rgb`. Parsing happens once per content (see prepare.ts), never per frame.
 */
import { parseHexColor, type Rgb } from '../../display/frame';

/** `text` as a colour, or `fallback` when it is absent (or, defensively, not `#rrggbb`). */
export function colorOr(text: string | undefined, fallback: Rgb): Rgb {
  return (text === undefined ? undefined : parseHexColor(text)) ?? fallback;
}

/**
 * Writes the fully saturated, full-brightness colour of `hueDegrees` into `out` and returns it.
 * Writing into a caller's tuple lets rainbow text repaint every frame without allocating.
 */
export function hueInto(out: [number, number, number], hueDegrees: number): Rgb {
  const h = (((hueDegrees % 360) + 360) % 360) / 60;
  const sector = Math.floor(h);
  const rising = Math.round(255 * (h - sector));
  const falling = Math.round(255 * (1 - (h - sector)));
  switch (sector) {
    case 0:
      out[0] = 255;
      out[1] = rising;
      out[2] = 0;
      break;
    case 1:
      out[0] = falling;
      out[1] = 255;
      out[2] = 0;
      break;
    case 2:
      out[0] = 0;
      out[1] = 255;
      out[2] = rising;
      break;
    case 3:
      out[0] = 0;
      out[1] = falling;
      out[2] = 255;
      break;
    case 4:
      out[0] = rising;
      out[1] = 0;
      out[2] = 255;
      break;
    default:
      out[0] = 255;
      out[1] = 0;
      out[2] = falling;
  }
  return out;
}

/** Writes the colour `t` (0..1) of the way from `from` to `to` into `out` and returns it. */
export function mixInto(out: [number, number, number], from: Rgb, to: Rgb, t: number): Rgb {
  const k = Math.min(1, Math.max(0, t));
  out[0] = Math.round(from[0] + (to[0] - from[0]) * k);
  out[1] = Math.round(from[1] + (to[1] - from[1]) * k);
  out[2] = Math.round(from[2] + (to[2] - from[2]) * k);
  return out;
}
