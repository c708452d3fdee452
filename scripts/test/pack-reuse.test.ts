/**
 * scripts/pack-bridge.js packs once per content: a second pack of the same staged files reuses the
 * tarball, and runs that ask at the same moment (the two ARM test files and the packed-bridge
 * test) pack once between them, under pack/.packing. Needs the build and the firmware images,
 * as `npm test` makes them before jest.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A pack folder of its own: the ARM and packed-bridge test files pack into pack/ at the same time
// in another jest worker, and a run of theirs between this file's steps made every run here reuse.
const PACK_DIR = mkdtempSync(join(tmpdir(), 'megabit-pack-test-'));
process.env.MEGABIT_PACK_DIR = PACK_DIR;
afterAll(() => {
  delete process.env.MEGABIT_PACK_DIR;
  rmSync(PACK_DIR, { recursive: true, force: true });
});

const { packBridge } = require('../pack-bridge.js') as { packBridge(options?: { log?: (line: string) => void }): string };

const SCRIPT = join(__dirname, '..', 'pack-bridge.js');
const REUSED = 'packed from the same files already';

jest.setTimeout(120_000);

it('reuses the tarball packed from the same files', () => {
  const first = packBridge();
  expect(first.startsWith(PACK_DIR)).toBe(true);
  const before = statSync(first);
  const lines: string[] = [];
  expect(packBridge({ log: (line) => lines.push(line) })).toBe(first);
  expect(lines).toEqual([`${first}: ${REUSED}`]);
  const after = statSync(first);
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
});

it('packs once when three runs ask at the same moment, and all get the same tarball', async () => {
  const tarball = packBridge();
  // Without its key the tarball counts as not packed yet: the next run must pack again.
  rmSync(`${tarball}.staged`);
  const runs = await Promise.all(
    [1, 2, 3].map(() => promisify(execFile)(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, MEGABIT_PACK_DIR: PACK_DIR } })),
  );
  expect(runs.map((r) => r.stdout.trim())).toEqual([tarball, tarball, tarball]);
  const reports = runs.map((r) => r.stderr.trim()).sort();
  expect(reports.filter((line) => line.endsWith(REUSED))).toHaveLength(2);
  expect(reports.filter((line) => /: \d+ files, \d+ KiB$/.test(line))).toHaveLength(1);
});
