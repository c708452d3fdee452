/**
 * Draws a frame on the canvas: the 64x32 pixels scaled up without smoothing, then (LED style) a
 * mask with round holes on top, so each LED shows its exact colour inside a dark gap. The mask is
 * drawn once per size, so a frame costs two drawImage calls.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import type { PanelStyle } from './gif-recording';
import { LED_FILL, fitPanel, type PanelLayout } from './led-layout';

const GAP_COLOUR = '#060606';
/** The rim of each LED package: makes unlit LEDs visible as on the real panel. */
const RIM_COLOUR = 'rgba(255, 255, 255, 0.09)';

export class FrameRenderer {
  private readonly source = document.createElement('canvas');
  private readonly sourceImage: ImageData;
  private readonly ctx: CanvasRenderingContext2D;
  private mask?: HTMLCanvasElement;
  private layout?: PanelLayout;
  private frame: Uint8Array = new Uint8Array(FRAME_BYTES);
  style: PanelStyle = 'led';

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.source.width = DISPLAY_WIDTH;
    this.source.height = DISPLAY_HEIGHT;
    this.sourceImage = new ImageData(DISPLAY_WIDTH, DISPLAY_HEIGHT);
    this.ctx = canvas.getContext('2d', { alpha: false })!;
  }

  /** The last frame drawn (all black before the first). */
  get current(): Uint8Array {
    return this.frame;
  }

  setStyle(style: PanelStyle): void {
    this.style = style;
    this.draw(this.frame);
  }

  /** Fits the panel into the given CSS box; a no-op when the size in device pixels is unchanged. */
  resize(availableCssWidth: number, availableCssHeight: number, devicePixelRatio: number): void {
    const layout = fitPanel(availableCssWidth, availableCssHeight, devicePixelRatio);
    this.canvas.style.width = `${layout.cssWidth}px`;
    this.canvas.style.height = `${layout.cssHeight}px`;
    if (this.layout && this.layout.width === layout.width && this.layout.height === layout.height) return;
    this.layout = layout;
    this.canvas.width = layout.width;
    this.canvas.height = layout.height;
    this.mask = buildMask(layout);
    this.draw(this.frame);
  }

  draw(frame: Uint8Array): void {
    if (frame.length !== FRAME_BYTES) return;
    this.frame = frame;
    const rgba = this.sourceImage.data;
    for (let p = 0, q = 0; p < FRAME_BYTES; p += 3, q += 4) {
      rgba[q] = frame[p];
      rgba[q + 1] = frame[p + 1];
      rgba[q + 2] = frame[p + 2];
      rgba[q + 3] = 255;
    }
    this.source.getContext('2d')!.putImageData(this.sourceImage, 0, 0);
    if (!this.layout) return;
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(this.source, 0, 0, this.layout.width, this.layout.height);
    if (this.style === 'led' && this.mask) this.ctx.drawImage(this.mask, 0, 0);
  }

  /** What the canvas shows, as a PNG. */
  toPng(): Promise<Blob> {
    return new Promise((resolve, reject) => {
      this.canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas could not be encoded'))), 'image/png');
    });
  }
}

function buildMask(layout: PanelLayout): HTMLCanvasElement {
  const mask = document.createElement('canvas');
  mask.width = layout.width;
  mask.height = layout.height;
  const ctx = mask.getContext('2d')!;
  ctx.fillStyle = GAP_COLOUR;
  ctx.fillRect(0, 0, layout.width, layout.height);
  const { cell } = layout;
  const radius = (cell * LED_FILL) / 2;
  const dots = new Path2D();
  for (let y = 0; y < DISPLAY_HEIGHT; y++) {
    for (let x = 0; x < DISPLAY_WIDTH; x++) {
      const cx = (x + 0.5) * cell;
      const cy = (y + 0.5) * cell;
      dots.moveTo(cx + radius, cy);
      dots.arc(cx, cy, radius, 0, Math.PI * 2);
    }
  }
  ctx.globalCompositeOperation = 'destination-out';
  ctx.fill(dots);
  if (cell >= 6) {
    ctx.globalCompositeOperation = 'source-over';
    ctx.strokeStyle = RIM_COLOUR;
    ctx.lineWidth = Math.max(1, cell * 0.06);
    ctx.stroke(dots);
  }
  return mask;
}
