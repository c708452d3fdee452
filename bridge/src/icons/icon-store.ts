/**
 * Every icon the display can draw by name: the built-in starter set, and the icons uploaded to
 * this device, kept as their original files in `<data dir>/icons/<name>.png|.gif` (written
 * atomically) and decoded in memory so drawing never waits for the disk. An upload under a
 * built-in's name replaces it on this device; deleting that upload brings the built-in back.
 * A part: it reads the uploads before the device starts drawing. Uploads and deletes write off
 * the main thread (the frames keep coming while a slow disk syncs); the command lane runs them
 * one at a time, so no two overlap.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type IconFormat, type IconInfo, iconFormatOf, isValidIconName, MAX_ICON_FILE_BYTES } from '@megabit/contract';
import { IconFileError, IconTooLargeError, InvalidIconError, UnknownIconError } from '../errors';
import type { Part } from '../part';
import { syncDirAsync, writeFileAtomicAsync } from '../util/atomic-file';
import { errorMessage, type Logger } from '../util/logger';
import type { Icon, IconSource } from './icon';
import { MAX_STORED_ICON_BYTES, MAX_UPLOADED_ICONS } from './limits';

/** The PNG and GIF decoders load with the first uploaded icon: a bridge without uploads never needs them. */
const decodeIcon: typeof import('./decode-image').decodeIcon = (...args) => (require('./decode-image') as typeof import('./decode-image')).decodeIcon(...args);

const decodedBytes = (icon: Icon): number => icon.frames.reduce((sum, f) => sum + f.rgba.length, 0);

export class IconStore implements IconSource, Part {
  readonly name = 'icons';
  private readonly uploads = new Map<string, { icon: Icon; format: IconFormat }>();
  private uploadedBytes = 0;
  private readonly listeners = new Set<() => void>();

  private builtInIcons?: ReadonlyMap<string, Icon>;

  /**
   * `builtIns`: the built-in icons, or what reads them on first use (the bridge's start draws no
   * icon before its first frame, so parsing the 40-odd text-art files waits until one is needed).
   */
  constructor(
    private readonly dir: string,
    private readonly builtIns: ReadonlyMap<string, Icon> | (() => ReadonlyMap<string, Icon>),
    private readonly log: Logger,
  ) {}

  private get builtIn(): ReadonlyMap<string, Icon> {
    this.builtInIcons ??= typeof this.builtIns === 'function' ? this.builtIns() : this.builtIns;
    return this.builtInIcons;
  }

  /** Reads the uploaded icons; a file that no longer decodes is left on disk, skipped and logged. */
  start(): void {
    let files: string[];
    try {
      files = readdirSync(this.dir).sort();
    } catch {
      return; // no icons uploaded yet
    }
    for (const file of files) {
      const match = /^([a-z0-9_-]+)\.(png|gif)$/.exec(file);
      if (!match || !isValidIconName(match[1])) continue;
      const [name, format] = [match[1]!, match[2] as IconFormat];
      try {
        // Files copied in by hand meet the same limits as uploads.
        if (statSync(join(this.dir, file)).size > MAX_ICON_FILE_BYTES) throw new IconTooLargeError(`it is larger than ${MAX_ICON_FILE_BYTES} bytes`);
        const bytes = readFileSync(join(this.dir, file));
        if (iconFormatOf(bytes) !== format) throw new InvalidIconError(`it is not a ${format.toUpperCase()} file`);
        const icon = decodeIcon(name, bytes, format);
        this.checkRoom(this.uploads.get(name), icon);
        this.keep(name, icon, format);
      } catch (e) {
        this.log.warn(`skipped the uploaded icon ${file}: ${errorMessage(e)}`);
      }
    }
    if (this.uploads.size > 0) this.log.info(`${this.uploads.size} uploaded icon(s), ${this.builtIn.size} built in`);
  }

  /** Nothing to release: every upload is on disk once it is answered; listeners remove themselves. */
  stop(): void {}

  get(name: string): Icon | undefined {
    return this.uploads.get(name)?.icon ?? this.builtIn.get(name);
  }

  /** Every icon by name, uploads in place of the built-ins they replace. */
  list(): IconInfo[] {
    const names = [...new Set([...this.builtIn.keys(), ...this.uploads.keys()])].sort();
    return names.map((name) => {
      const icon = this.get(name)!;
      return { name, width: icon.width, height: icon.height, frames: icon.frames.length, builtin: !this.uploads.has(name) };
    });
  }

  /** Checks, decodes and keeps a PNG or GIF under `name`, replacing any upload of that name. */
  async upload(name: string, image: Uint8Array, format: IconFormat): Promise<Icon> {
    checkName(name);
    const icon = decodeIcon(name, image, format);
    const replaced = this.uploads.get(name);
    this.checkRoom(replaced, icon);
    try {
      await writeFileAtomicAsync(this.fileOf(name, format), image);
    } catch (e) {
      throw new IconFileError(`could not write the icon "${name}": ${errorMessage(e)}`);
    }
    this.keep(name, icon, format);
    this.changed();
    // The same name in the other format would come back at the next start.
    if (replaced && replaced.format !== format) {
      try {
        await this.unlink(name, replaced.format);
      } catch (e) {
        this.log.warn(`${errorMessage(e)}; delete it by hand, or it may stand in for the new one after a restart`);
      }
    }
    return icon;
  }

  /** Deletes the uploaded icon `name`; a built-in it replaced shows again. */
  async remove(name: string): Promise<void> {
    checkName(name);
    const upload = this.uploads.get(name);
    if (!upload) {
      if (this.builtIn.has(name))
        throw new InvalidIconError(`"${name}" is a built-in icon and cannot be deleted; upload a picture under its name to replace it`);
      throw new UnknownIconError(name);
    }
    await this.unlink(name, upload.format);
    this.uploads.delete(name);
    this.uploadedBytes -= decodedBytes(upload.icon);
    this.changed();
  }

  /** Calls `listener` after every upload or delete; returns its remover. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Throws when keeping `icon` (in place of `replaced`, if any) would pass the store's limits. */
  private checkRoom(replaced: { icon: Icon } | undefined, icon: Icon): void {
    if (!replaced && this.uploads.size >= MAX_UPLOADED_ICONS) {
      throw new IconTooLargeError(`${MAX_UPLOADED_ICONS} icons are uploaded already; delete one first (an empty payload deletes)`);
    }
    const bytesAfter = this.uploadedBytes - (replaced ? decodedBytes(replaced.icon) : 0) + decodedBytes(icon);
    if (bytesAfter > MAX_STORED_ICON_BYTES) {
      throw new IconTooLargeError(`the uploaded icons would take more than ${MAX_STORED_ICON_BYTES / 1024 / 1024} MiB decoded; delete some first`);
    }
  }

  private keep(name: string, icon: Icon, format: IconFormat): void {
    const previous = this.uploads.get(name);
    if (previous) this.uploadedBytes -= decodedBytes(previous.icon);
    this.uploads.set(name, { icon, format });
    this.uploadedBytes += decodedBytes(icon);
  }

  private fileOf(name: string, format: IconFormat): string {
    return join(this.dir, `${name}.${format}`);
  }

  private async unlink(name: string, format: IconFormat): Promise<void> {
    try {
      await unlink(this.fileOf(name, format));
      await syncDirAsync(this.dir);
    } catch (e) {
      throw new IconFileError(`could not delete the icon file of "${name}": ${errorMessage(e)}`);
    }
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (e) {
        this.log.error(`an icon change listener failed: ${errorMessage(e)}`);
      }
    }
  }
}

function checkName(name: string): void {
  if (!isValidIconName(name)) throw new InvalidIconError(`"${name}" is not an icon name: 1 to 32 of a-z, 0-9, _ and -`);
}
