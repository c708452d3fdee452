import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderModule, writeModule } = require('../bin/png-to-as.js') as {
  renderModule(files: string[]): string;
  writeModule(out: string, files: string[]): boolean;
};

/** Writes a PNG whose pixel (x, y) is colour(x, y) as [r, g, b, a]. */
function png(file: string, width: number, height: number, colour: (x: number, y: number) => number[]): string {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) img.data.set(colour(x, y), (y * width + x) * 4);
  writeFileSync(file, PNG.sync.write(img));
  return file;
}

describe('png-to-as', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'megabit-png-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes an indexed image with index 0 transparent from a few-colour PNG', () => {
    const file = png(join(dir, 'tiny-icon.png'), 2, 2, (x, y) => (x === y ? [255, 0, 0, 255] : [0, 0, 0, 0]));
    const text = renderModule([file]);
    expect(text).toContain('const TINY_ICON_PALETTE: StaticArray<u32> = [0x000000, 0xff0000];');
    expect(text).toContain('const TINY_ICON_INDICES: StaticArray<u8> = [\n  1, 0,\n  0, 1,\n];');
    expect(text).toContain('export const TINY_ICON = new IndexedImage(2, 2, TINY_ICON_PALETTE, TINY_ICON_INDICES, 0);');
  });

  it('makes an RGB image with an unused colour as transparency key past 255 colours', () => {
    const file = png(join(dir, 'gradient.png'), 16, 17, (x, y) => (y === 16 ? [0, 0, 0, 0] : [x * 16, y * 16, 7, 255]));
    const text = renderModule([file]);
    expect(text).toContain('export const GRADIENT = new RgbImage(16, 17, GRADIENT_PIXELS, 0xff00ff);');
    expect(text).toMatch(/^ {2}0, 0, 7, 16, 0, 7, /m);
    expect(text).toContain(`  ${Array(16).fill('255, 0, 255').join(', ')},`);
  });

  it('rejects unreadable files and names that cannot be exports, with the file named', () => {
    writeFileSync(join(dir, 'broken.png'), 'not a png');
    expect(() => renderModule([join(dir, 'broken.png')])).toThrow(/broken\.png: not a readable PNG/);
    const digit = png(join(dir, '1up.png'), 1, 1, () => [1, 2, 3, 255]);
    expect(() => renderModule([digit])).toThrow(/must start with a letter/);
  });

  it('rewrites the module only when it changes', () => {
    const file = png(join(dir, 'dot.png'), 1, 1, () => [1, 2, 3, 255]);
    const out = join(dir, 'images.ts');
    expect(writeModule(out, [file])).toBe(true);
    const mtime = statSync(out).mtimeMs;
    expect(writeModule(out, [file])).toBe(false);
    expect(statSync(out).mtimeMs).toBe(mtime);
  });

  it("the sensor example's icons.ts is up to date with its PNGs", () => {
    const app = join(__dirname, '..', '..', 'examples', 'sensor');
    const files = ['bolt', 'drop', 'sun', 'thermometer'].map((n) => join(app, 'images', `${n}.png`));
    expect(readFileSync(join(app, 'assembly', 'icons.ts'), 'utf8')).toBe(renderModule(files));
  });
});
