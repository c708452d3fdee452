/**
 * The picture of the built-in icons in docs/icons.md: each icon drawn with the bridge's own
 * drawIcon on a panel-black cell, one row per group, scaled up so the pixels show.
 */
import { PNG } from 'pngjs';
import { drawIcon, type Icon } from '../../src/icons/icon';

const SCALE = 4;
const GAP_COLOUR = [40, 40, 48];

/** `rows` of icons, as a PNG: every icon centred in a black square (2 pixels round the largest), with a grey gap between. */
export function iconSheet(rows: Icon[][]): Buffer {
  const cell = Math.max(...rows.flat().map((i) => Math.max(i.width, i.height))) + 5;
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * cell + 1;
  const height = rows.length * cell + 1;
  const png = new PNG({ width: width * SCALE, height: height * SCALE });
  const pixels = new Uint8Array(width * height * 3).fill(0);
  for (let i = 0; i < width * height; i++) pixels.set(GAP_COLOUR, i * 3);
  rows.forEach((row, r) => {
    row.forEach((icon, c) => {
      const square = new Uint8Array(cell * cell * 3);
      drawOnCell(square, icon, cell);
      for (let y = 0; y < cell - 1; y++) {
        for (let x = 0; x < cell - 1; x++) {
          pixels.set(square.subarray((y * cell + x) * 3, (y * cell + x) * 3 + 3), ((r * cell + 1 + y) * width + c * cell + 1 + x) * 3);
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
  // One filter ("up": the scaled rows repeat), not pngjs's slow try-them-all.
  return PNG.sync.write(png, { colorType: 2, filterType: 2 });
}

/** drawIcon draws on a 64x32 frame: draw there, then take the square's corner, the icon centred in it. */
function drawOnCell(square: Uint8Array, icon: Icon, cell: number): void {
  const frame = new Uint8Array(64 * 32 * 3);
  const inner = cell - 1;
  drawIcon(frame, icon, Math.floor((inner - icon.width) / 2), Math.floor((inner - icon.height) / 2));
  for (let y = 0; y < cell; y++) square.set(frame.subarray(y * 64 * 3, (y * 64 + cell) * 3), y * cell * 3);
}
