// Text that moves right to left across the canvas, one step per `step()`.
import { Canvas } from "./canvas";
import { Color } from "./color";
import { Font } from "./font";
import { FONT_SMALL } from "./unicode-font";

export class Scroller {
  /** Pixels scrolled since the text entered at the right edge. */
  offset: i32 = 0;
  /** Times the text has passed completely. */
  passes: i32 = 0;
  private textWidth: i32;

  constructor(
    private text: string,
    public y: i32 = 0,
    public color: Color = 0xffffff,
    readonly font: Font = FONT_SMALL,
    /** Pixels per step. */
    public speed: i32 = 1,
    /** Width of the canvas the text crosses. */
    readonly viewWidth: i32 = 64,
  ) {
    this.textWidth = font.measure(text);
  }

  get content(): string { return this.text; }

  /** Replaces the text; the scroll position is kept unless `restart`. */
  setText(text: string, restart: bool = false): void {
    this.text = text;
    this.textWidth = this.font.measure(text);
    if (restart) this.offset = 0;
    this.offset = this.offset % this.period;
  }

  /** Steps from entering at the right edge to having left at the left edge. */
  get period(): i32 { return this.viewWidth + this.textWidth; }

  /** x of the text's left edge now. */
  get x(): i32 { return this.viewWidth - this.offset; }

  step(): void {
    this.offset += this.speed;
    if (this.offset >= this.period) {
      this.offset = this.offset % this.period;
      this.passes++;
    }
  }

  draw(canvas: Canvas): void {
    canvas.text(this.text, this.x, this.y, this.color, this.font);
  }
}
