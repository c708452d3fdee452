/**
 * The picture of the built-in icons in docs/icons.md: each icon drawn with the bridge's own
 * drawIcon on a panel-black cell, one row per group, scaled up so the pixels show.
 */
import { PNG } from 'pngjs';
import { drawIcon, type Icon } from '../../src/icons/icon';

const CELL = 12;
const SCALE = 6;
const GAP_COLOUR = [40, 40, 48];

/** `rows` of icons, as a PNG: every icon in a CELL x CELL black square, with a grey gap between. */
export function iconSheet(rows: Icon[][]): Buffer {
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * CELL + 1;
  const height = rows.length * CELL + 1;
  const png = new PNG({ width: width * SCALE, height: height * SCALE });
  const pixels = new Uint8Array(width * height * 3).fill(0);
  for (let i = 0; i < width * height; i++) pixels.set(GAP_COLOUR, i * 3);
  rows.forEach((row, r) => {
    row.forEach((icon, c) => {
      const cell = new Uint8Array(CELL * CELL * 3);
      drawOnCell(cell, icon);
      for (let y = 0; y < CELL - 1; y++) {
        for (let x = 0; x < CELL - 1; x++) {
          pixels.set(cell.subarray((y * CELL + x) * 3, (y * CELL + x) * 3 + 3), ((r * CELL + 1 + y) * width + c * CELL + 1 + x) * 3);
        }
      }
    });
  });
  for (let y = 0; y < height * SCALE; y++) {
    for (let x = 0; x < width * SCALE; x++) {
      const from = (Math.floor(y / SCALE) * width + Math.floor(x / SCALE)) * 3;
      png.data.set([pixels[from]!, pixels[from + 1]!, pixels[from + 2]!, 255], (y * width * SCALE + x) * 4);
    }
  }
  return PNG.sync.write(png, { colorType: 2 });
}

/** drawIcon draws on a 64x32 frame: draw there, then take the cell's corner, the icon centred in it. */
function drawOnCell(cell: Uint8Array, icon: Icon): void {
  const frame = new Uint8Array(64 * 32 * 3);
  const inner = CELL - 1;
  drawIcon(frame, icon, Math.floor((inner - icon.width) / 2), Math.floor((inner - icon.height) / 2));
  for (let y = 0; y < CELL; y++) cell.set(frame.subarray(y * 64 * 3, (y * 64 + CELL) * 3), y * CELL * 3);
}
