// Images to draw with `Canvas.image`: full colour (RGB888) or indexed (palette of up to 256).
import { Color } from "./color";

export const NO_TRANSPARENCY: i32 = -1;

export abstract class Image {
  constructor(readonly width: i32, readonly height: i32) {}
  /** Colour at (x, y), or -1 where the pixel is transparent. */
  abstract colorAt(x: i32, y: i32): i64;
}

/** Row-major RGB888 pixels; `transparent` is a colour not drawn, or -1 for none. */
export class RgbImage extends Image {
  constructor(width: i32, height: i32, readonly pixels: StaticArray<u8>, readonly transparent: i64 = NO_TRANSPARENCY) {
    super(width, height);
    assert(pixels.length == width * height * 3, "RgbImage: pixels must hold width*height*3 bytes");
  }

  colorAt(x: i32, y: i32): i64 {
    const i = (y * this.width + x) * 3;
    const c = (<u32>unchecked(this.pixels[i]) << 16) | (<u32>unchecked(this.pixels[i + 1]) << 8) | <u32>unchecked(this.pixels[i + 2]);
    return <i64>c == this.transparent ? -1 : <i64>c;
  }
}

/** One palette index per pixel; `transparentIndex` is not drawn (-1: every index is drawn). */
export class IndexedImage extends Image {
  constructor(width: i32, height: i32, readonly palette: StaticArray<Color>, readonly indices: StaticArray<u8>, readonly transparentIndex: i32 = NO_TRANSPARENCY) {
    super(width, height);
    assert(indices.length == width * height, "IndexedImage: indices must hold width*height entries");
  }

  colorAt(x: i32, y: i32): i64 {
    const idx = <i32>unchecked(this.indices[y * this.width + x]);
    if (idx == this.transparentIndex || idx >= this.palette.length) return -1;
    return <i64>unchecked(this.palette[idx]);
  }

  /** The same pixels with another palette (recolouring an icon costs no pixel copy). */
  withPalette(palette: StaticArray<Color>): IndexedImage {
    return new IndexedImage(this.width, this.height, palette, this.indices, this.transparentIndex);
  }
}
