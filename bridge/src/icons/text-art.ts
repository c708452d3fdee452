/**
 * The built-in icons are drawn as text, one file each (bridge/icons/<name>.txt), so they read and
 * review like pictures:
 *
 *   # comment lines start with "#"
 *   Y #ffd21e        a legend line: one character and the colour it stands for
 *   ..Y..            picture rows, all the same width; "." is transparent
 *
 * An animation has several frames, each after a line "--- <delay ms>"; every frame shows for
 * the last delay given (the file stays a picture per frame, not a timeline).
 */
import type { Icon, IconFrame } from './icon';
import { MAX_ICON_FRAMES, MAX_ICON_SIZE } from './limits';

const LEGEND = /^(\S)\s+#([0-9a-fA-F]{6})$/;
const FRAME_BREAK = /^---\s+(\d+)$/;

export function parseTextArt(name: string, text: string): Icon {
  const colours = new Map<string, [number, number, number]>();
  const frames: string[][] = [[]];
  let delayMs = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimEnd();
    const where = `${name}.txt line ${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const legend = LEGEND.exec(line);
    const frameBreak = FRAME_BREAK.exec(line);
    if (legend) {
      if (legend[1] === '.') throw new Error(`${where}: "." is always transparent`);
      const hex = legend[2]!;
      colours.set(legend[1]!, [0, 2, 4].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)) as [number, number, number]);
    } else if (frameBreak) {
      delayMs = Number(frameBreak[1]);
      frames.push([]);
    } else {
      frames[frames.length - 1]!.push(line);
    }
  });
  const drawn = frames.filter((rows) => rows.length > 0);
  const width = drawn[0]?.[0]?.length ?? 0;
  const height = drawn[0]?.length ?? 0;
  if (width < 1 || width > MAX_ICON_SIZE || height > MAX_ICON_SIZE)
    throw new Error(`${name}.txt: a picture of ${width}x${height} (1x1 to ${MAX_ICON_SIZE}x${MAX_ICON_SIZE})`);
  if (drawn.length > MAX_ICON_FRAMES) throw new Error(`${name}.txt: more than ${MAX_ICON_FRAMES} frames`);
  return {
    name,
    width,
    height,
    frames: drawn.map((rows, f): IconFrame => {
      if (rows.length !== height || rows.some((r) => r.length !== width)) throw new Error(`${name}.txt: frame ${f + 1} is not ${width}x${height}`);
      const rgba = new Uint8Array(width * height * 4);
      rows.forEach((row, y) => {
        [...row].forEach((ch, x) => {
          if (ch === '.') return;
          const colour = colours.get(ch);
          if (!colour) throw new Error(`${name}.txt: "${ch}" in frame ${f + 1} row ${y + 1} is not in the legend`);
          rgba.set([...colour, 255], (y * width + x) * 4);
        });
      });
      return { rgba, delayMs };
    }),
  };
}
