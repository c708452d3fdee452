/**
 * The starter set shipped with Megabit: bridge/icons/<name>.txt (text-art.ts), read once when the
 * bridge starts. The folder sits beside src/ and dist/, so the same path works from both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidIconName } from '@megabit/contract';
import type { Icon } from './icon';
import { parseTextArt } from './text-art';

export const BUILTIN_ICONS_DIR = join(__dirname, '..', '..', 'icons');

/** Every built-in icon by name; a broken file is a bug in the release and throws. */
export function loadBuiltInIcons(dir: string = BUILTIN_ICONS_DIR): Map<string, Icon> {
  const icons = new Map<string, Icon>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.txt')) continue;
    const name = file.slice(0, -'.txt'.length);
    if (!isValidIconName(name)) throw new Error(`built-in icon file ${file}: "${name}" is not a valid icon name`);
    icons.set(name, parseTextArt(name, readFileSync(join(dir, file), 'utf8')));
  }
  return icons;
}
