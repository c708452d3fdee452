/**
 * Size of the drawn panel. Each LED gets a whole number of device pixels so the dots stay sharp
 * at any window size and devicePixelRatio.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH } from '@megabit/contract';

/** LED diameter as a share of its cell; the rest is the dark gap between LEDs. */
export const LED_FILL = 0.84;

export interface PanelLayout {
  /** Device pixels per LED. */
  cell: number;
  /** Canvas backing store size, device pixels. */
  width: number;
  height: number;
  /** Canvas element size, CSS pixels. */
  cssWidth: number;
  cssHeight: number;
}

export function fitPanel(availableCssWidth: number, availableCssHeight: number, devicePixelRatio: number): PanelLayout {
  const dpr = devicePixelRatio > 0 && Number.isFinite(devicePixelRatio) ? devicePixelRatio : 1;
  const fit = Math.min((availableCssWidth * dpr) / DISPLAY_WIDTH, (availableCssHeight * dpr) / DISPLAY_HEIGHT);
  const cell = Math.max(1, Math.floor(Number.isFinite(fit) ? fit : 1));
  const width = cell * DISPLAY_WIDTH;
  const height = cell * DISPLAY_HEIGHT;
  return { cell, width, height, cssWidth: width / dpr, cssHeight: height / dpr };
}

/**
 * Which pixels of a `cell`-sized square belong to the round LED: the same disk for the canvas
 * mask and the GIF, so both look alike. Row-major, 1 = LED.
 */
export function ledDisk(cell: number): Uint8Array {
  const disk = new Uint8Array(cell * cell);
  const centre = cell / 2;
  const radius = (cell * LED_FILL) / 2;
  for (let y = 0; y < cell; y++) {
    for (let x = 0; x < cell; x++) {
      const dx = x + 0.5 - centre;
      const dy = y + 0.5 - centre;
      if (dx * dx + dy * dy <= radius * radius) disk[y * cell + x] = 1;
    }
  }
  return disk;
}
