/**
 * The icon store on its own, on a temporary data dir: its limits (uploads, decoded bytes), files
 * that no longer decode at start, a replaced format, and the change listeners.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IconFileError, IconTooLargeError } from '../../src/errors';
import { loadBuiltInIcons } from '../../src/icons/builtin-icons';
import { IconStore } from '../../src/icons/icon-store';
import { MAX_STORED_ICON_BYTES, MAX_UPLOADED_ICONS } from '../../src/icons/limits';
import { MAX_ICON_FILE_BYTES } from '@megabit/contract';
import { makeGif, makePng } from '../helpers/icon-images';
import { recordingLog } from '../helpers/logs';

const PNG = makePng(2, 2, () => [9, 9, 9, 255]);
const BUILT_INS = loadBuiltInIcons();

describe('IconStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'megabit-icons-')), 'icons');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('reads the built-in icons on first use when given their loader, once (the start needs none before its first frame)', () => {
    let loads = 0;
    const store = new IconStore(
      dir,
      () => {
        loads++;
        return BUILT_INS;
      },
      recordingLog(),
    );
    store.start();
    expect(loads).toBe(0);
    const [name, icon] = [...BUILT_INS][0]!;
    expect(store.get(name)).toBe(icon);
    expect(store.list().map((i) => i.name)).toEqual([...BUILT_INS.keys()].sort());
    expect(loads).toBe(1);
  });

  it(`keeps at most ${MAX_UPLOADED_ICONS} uploads, but a full store still takes a replacement`, async () => {
    const store = new IconStore(dir, BUILT_INS, recordingLog());
    for (let i = 0; i < MAX_UPLOADED_ICONS; i++) await store.upload(`i${i}`, PNG, 'png');
    await expect(store.upload('one_more', PNG, 'png')).rejects.toThrow(
      new IconTooLargeError(`${MAX_UPLOADED_ICONS} icons are uploaded already; delete one first (an empty payload deletes)`),
    );
    const replacement = await store.upload(
      'i7',
      makePng(3, 3, () => [1, 1, 1, 255]),
      'png',
    );
    expect(replacement.width).toBe(3);
    expect(readdirSync(dir)).toHaveLength(MAX_UPLOADED_ICONS);
  });

  it(`keeps at most ${MAX_STORED_ICON_BYTES / 1024 / 1024} MiB of decoded pixels`, async () => {
    const store = new IconStore(dir, BUILT_INS, recordingLog());
    // The largest icon there is: 64 frames of 32x32, 256 KiB decoded.
    const biggest = makeGif(
      32,
      32,
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      Array.from({ length: 64 }, (_, f) => ({ indices: Array<number>(1024).fill(f % 2), delayMs: 50 })),
    );
    const fits = MAX_STORED_ICON_BYTES / (32 * 32 * 4 * 64);
    for (let i = 0; i < fits; i++) await store.upload(`big${i}`, biggest, 'gif');
    await expect(store.upload('too_many', biggest, 'gif')).rejects.toThrow(IconTooLargeError);
    await store.remove('big0');
    expect((await store.upload('too_many', biggest, 'gif')).frames).toHaveLength(64);
    // Files copied in by hand meet the same limit at the next start.
    writeFileSync(join(dir, 'zzz_by_hand.gif'), biggest);
    const log = recordingLog();
    const restarted = new IconStore(dir, BUILT_INS, log);
    restarted.start();
    expect(restarted.get('zzz_by_hand')).toBeUndefined();
    expect(log.count(/^skipped the uploaded icon zzz_by_hand\.gif: the uploaded icons would take more than 16 MiB decoded/)).toBe(1);
  });

  it('skips, and logs, a stored file that no longer decodes or is over a limit; the others load', () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'good.png'), PNG);
    writeFileSync(join(dir, 'broken.png'), PNG.subarray(0, 30));
    writeFileSync(join(dir, 'liar.gif'), PNG);
    writeFileSync(join(dir, 'Not-A-Name.png'), PNG);
    writeFileSync(join(dir, 'huge.png'), Buffer.concat([PNG, Buffer.alloc(MAX_ICON_FILE_BYTES)]));
    const log = recordingLog();
    const store = new IconStore(dir, BUILT_INS, log);
    store.start();
    expect(store.get('good')?.width).toBe(2);
    expect([store.get('broken'), store.get('liar'), store.get('huge')]).toEqual([undefined, undefined, undefined]);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^skipped the uploaded icon broken\.png: broken PNG/),
      'skipped the uploaded icon huge.png: it is larger than 65536 bytes',
      'skipped the uploaded icon liar.gif: it is not a GIF file',
    ]);
  });

  it('refuses an upload it cannot write with a clear error, and keeps nothing of it', async () => {
    // A file where the icons folder should be: every write there fails, even as root.
    writeFileSync(dir, 'not a folder');
    const store = new IconStore(dir, BUILT_INS, recordingLog());
    await expect(store.upload('pic', PNG, 'png')).rejects.toThrow(IconFileError);
    await expect(store.upload('pic', PNG, 'png')).rejects.toThrow(/^could not write the icon "pic": /);
    expect(store.get('pic')).toBeUndefined();
    expect(store.list().every((i) => i.builtin)).toBe(true);
  });

  it('keeps one file per name when an upload changes format, and tells its listeners', async () => {
    const store = new IconStore(dir, BUILT_INS, recordingLog());
    let changes = 0;
    const remove = store.onChange(() => changes++);
    await store.upload('pic', PNG, 'png');
    await store.upload('pic', makeGif(1, 1, [[0, 0, 0]], [{ indices: [0], delayMs: 100 }]), 'gif');
    expect(readdirSync(dir)).toEqual(['pic.gif']);
    remove();
    await store.remove('pic');
    expect(changes).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});
