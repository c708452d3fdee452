// The in-app framebuffer: drawing goes here, and the SDK sends it to the host in one `mb_blit_mem`
// after `run()` when anything was drawn.
import { Color } from "./color";
import { displayOrder } from "./bidi";
import { Font, codeAt } from "./font";
import { Image } from "./image";
import { FONT_SMALL } from "./unicode-font";

export const WIDTH: i32 = 64;
export const HEIGHT: i32 = 32;

export class Canvas {
  readonly pixels: Uint8Array;
  /** Set by every drawing call; the SDK clears it when it flushes the frame. */
  dirty: bool = false;

  constructor(readonly width: i32 = WIDTH, readonly height: i32 = HEIGHT) {
    this.pixels = new Uint8Array(width * height * 3);
  }

  clear(color: Color = 0): void {
    this.fillRect(0, 0, this.width, this.height, color);
  }

  pixel(x: i32, y: i32, color: Color): void {
    this.dirty = true;
    if (<u32>x >= <u32>this.width || <u32>y >= <u32>this.height) return;
    const i = (y * this.width + x) * 3;
    const p = this.pixels.dataStart + <usize>i;
    store<u8>(p, <u8>(color >> 16));
    store<u8>(p, <u8>(color >> 8), 1);
    store<u8>(p, <u8>color, 2);
  }

  /** Colour at (x, y); black outside the canvas. */
  get(x: i32, y: i32): Color {
    if (<u32>x >= <u32>this.width || <u32>y >= <u32>this.height) return 0;
    const p = this.pixels.dataStart + <usize>((y * this.width + x) * 3);
    return (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p, 1) << 8) | <u32>load<u8>(p, 2);
  }

  hline(x: i32, y: i32, w: i32, color: Color): void {
    for (let i = 0; i < w; i++) this.pixel(x + i, y, color);
  }

  vline(x: i32, y: i32, h: i32, color: Color): void {
    for (let i = 0; i < h; i++) this.pixel(x, y + i, color);
  }

  line(x0: i32, y0: i32, x1: i32, y1: i32, color: Color): void {
    const dx = abs(x1 - x0);
    const dy = -abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    while (true) {
      this.pixel(x0, y0, color);
      if (x0 == x1 && y0 == y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }

  /** Outline of a w x h rectangle whose top-left corner is (x, y). */
  rect(x: i32, y: i32, w: i32, h: i32, color: Color): void {
    if (w <= 0 || h <= 0) return;
    this.hline(x, y, w, color);
    this.hline(x, y + h - 1, w, color);
    this.vline(x, y, h, color);
    this.vline(x + w - 1, y, h, color);
  }

  fillRect(x: i32, y: i32, w: i32, h: i32, color: Color): void {
    this.dirty = true;
    const x0 = max(x, 0), y0 = max(y, 0);
    const x1 = min(x + w, this.width), y1 = min(y + h, this.height);
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.pixel(xx, yy, color);
  }

  circle(cx: i32, cy: i32, r: i32, color: Color): void {
    if (r < 0) return;
    let x = r, y = 0, err = 1 - r;
    while (x >= y) {
      this.pixel(cx + x, cy + y, color); this.pixel(cx - x, cy + y, color);
      this.pixel(cx + x, cy - y, color); this.pixel(cx - x, cy - y, color);
      this.pixel(cx + y, cy + x, color); this.pixel(cx - y, cy + x, color);
      this.pixel(cx + y, cy - x, color); this.pixel(cx - y, cy - x, color);
      y++;
      if (err < 0) err += 2 * y + 1;
      else { x--; err += 2 * (y - x) + 1; }
    }
  }

  fillCircle(cx: i32, cy: i32, r: i32, color: Color): void {
    if (r < 0) return;
    for (let dy = -r; dy <= r; dy++) {
      const half = <i32>Math.floor(Math.sqrt(<f64>(r * r - dy * dy) + 0.25));
      this.hline(cx - half, cy + dy, 2 * half + 1, color);
    }
  }

  /**
   * Draws `text` with its top-left corner at (x, y), each font pixel as a scale x scale block;
   * returns the x just after the last glyph. Width in advance: `font.measure(text) * scale`.
   * Right-to-left text (Hebrew) is drawn in display order. The default font is FONT_SMALL, so
   * text an app did not choose a font for can be in any language the SDK covers.
   */
  text(text: string, x: i32, y: i32, color: Color, font: Font = FONT_SMALL, scale: i32 = 1): i32 {
    this.dirty = true;
    const shown = displayOrder(text);
    let pen = x;
    for (let i = 0; i < shown.length; i++) {
      const code = codeAt(shown, i);
      if (code < 0) continue;
      const advance = font.advance(code) * scale;
      if (pen < this.width && pen + advance > 0) this.glyph(font, code, pen, y, color, scale);
      pen += advance;
    }
    return pen - (pen > x ? font.spacing * scale : 0);
  }

  /** Draws `text` centred horizontally on the canvas at row y. */
  textCentered(text: string, y: i32, color: Color, font: Font = FONT_SMALL, scale: i32 = 1): void {
    this.text(text, (this.width - font.measure(text) * scale) / 2, y, color, font, scale);
  }

  /** Draws an image with its top-left corner at (x, y); transparent pixels are skipped. */
  image(img: Image, x: i32, y: i32): void {
    this.dirty = true;
    for (let yy = 0; yy < img.height; yy++) {
      for (let xx = 0; xx < img.width; xx++) {
        const c = img.colorAt(xx, yy);
        if (c >= 0) this.pixel(x + xx, y + yy, <Color>c);
      }
    }
  }

  private glyph(font: Font, code: i32, x: i32, y: i32, color: Color, scale: i32): void {
    const left = font.proportional ? font.inkLeft(code) : 0;
    const top = font.width - 1;
    for (let row = 0; row < font.height; row++) {
      const bits = font.row(code, row);
      if (bits == 0) continue;
      for (let col = left; col < font.width; col++) {
        if (((bits >> <u32>(top - col)) & 1) == 0) continue;
        if (scale == 1) this.pixel(x + col - left, y + row, color);
        else this.fillRect(x + (col - left) * scale, y + row * scale, scale, scale, color);
      }
    }
  }
}

/** The app's screen: what it draws here is shown after `run()`. */
export const screen = new Canvas();
