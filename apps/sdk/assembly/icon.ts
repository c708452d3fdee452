// Icons stored on the display, drawn by name: the built-in set and the user's uploads
// (docs/icons.md). The host hands over the frame showing now, so an animated icon moves when the
// app draws it again in a later tick.
import { blockFromString, takeBytes } from "./block";
import { Canvas, screen } from "./canvas";
import { free, mb_icon } from "./host";

/**
 * Draws the icon `name` with its top-left corner at (x, y), clipped to `target`; pixels less than
 * half opaque are left as they were. Returns false, drawing nothing, when there is no such icon.
 */
export function icon(name: string, x: i32, y: i32, target: Canvas = screen): bool {
  const key = blockFromString(name);
  const reply = takeBytes(mb_icon(key));
  free(key);
  // [width, height, then width * height RGBA pixels].
  if (reply === null || reply.length < 2) return false;
  const w = <i32>reply[0];
  const h = <i32>reply[1];
  if (reply.length < 2 + w * h * 4) return false;
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const i = 2 + (row * w + col) * 4;
      if (reply[i + 3] < 128) continue;
      target.pixel(x + col, y + row, (<u32>reply[i] << 16) | (<u32>reply[i + 1] << 8) | <u32>reply[i + 2]);
    }
  }
  return true;
}
