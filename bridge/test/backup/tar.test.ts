/**
 * The backup's tar writer and reader against GNU tar: what one writes the other reads, a path
 * longer than ustar's 100-byte name field goes through its prefix field, and a damaged or cut
 * archive is refused instead of half read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, TarFormatError, writeTar } from '../../src/backup/tar';
import { run } from '../helpers/run-tool';

const dir = mkdtempSync(join(tmpdir(), 'megabit-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LONG = `data/apps/${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(60)}.json`;

it('GNU tar extracts what writeTar wrote, long paths included, byte for byte', async () => {
  const files = [
    { path: 'megabit-backup.json', data: Buffer.from('{}') },
    { path: LONG, data: Buffer.from('long') },
    { path: 'data/empty', data: Buffer.alloc(0) },
    { path: 'data/block', data: Buffer.alloc(512, 7) },
  ];
  const archive = join(dir, 'ours.tar');
  writeFileSync(archive, writeTar(files));
  const out = join(dir, 'out');
  await run('mkdir', [out]);
  const extracted = await run('tar', ['-xf', archive, '-C', out]);
  expect(extracted.stderr).toBe('');
  expect(extracted.code).toBe(0);
  for (const f of files) expect(readFileSync(join(out, f.path))).toEqual(f.data);
});

it('reads what GNU tar wrote in POSIX format, long paths included', async () => {
  const src = join(dir, 'src');
  const folder = join(src, LONG.slice(0, LONG.lastIndexOf('/')));
  await run('mkdir', ['-p', folder]);
  writeFileSync(join(src, LONG), 'from gnu tar');
  const archive = join(dir, 'theirs.tar');
  expect((await run('tar', ['--format=ustar', '-cf', archive, '-C', src, LONG])).code).toBe(0);
  const entries = [...readTar(readFileSync(archive))];
  expect(entries.map((e) => [e.path, e.type, e.data.toString()])).toEqual([[LONG, 'file', 'from gnu tar']]);
});

it('refuses a header whose checksum does not match', () => {
  const archive = writeTar([{ path: 'data/state.json', data: Buffer.from('{}') }]);
  archive[10] ^= 1;
  expect(() => [...readTar(archive)]).toThrow(new TarFormatError('a tar header is damaged (its checksum does not match)'));
});

it('refuses an archive cut short, in a file or before its end block', () => {
  const archive = writeTar([{ path: 'data/big', data: Buffer.alloc(2000, 1) }]);
  expect(() => [...readTar(archive.subarray(0, 1024))]).toThrow('the archive is cut short');
  expect(() => [...readTar(archive.subarray(0, 512 + 2048))]).toThrow('no end-of-archive block');
});

it('will not write a name no tar header can hold', () => {
  expect(() => writeTar([{ path: 'x'.repeat(120), data: Buffer.alloc(0) }])).toThrow('too long for a tar archive');
});
