import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTempFiles, writeFileAtomic, writeFileAtomicAsync } from '../../src/util/atomic-file';

describe('atomic files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'megabit-atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces a file whole and leaves no temp file behind', () => {
    const file = join(dir, 'sub', 'state.json');
    writeFileAtomic(file, '{"a":1}');
    writeFileAtomic(file, '{"a":2}');
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['state.json']);
  });

  it('replaces a file whole off the main thread too, bytes or text', async () => {
    const file = join(dir, 'sub', 'app.wasm');
    await writeFileAtomicAsync(file, new Uint8Array([0, 97, 115, 109]));
    expect([...readFileSync(file)]).toEqual([0, 97, 115, 109]);
    await writeFileAtomicAsync(file, 'text');
    expect(readFileSync(file, 'utf8')).toBe('text');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['app.wasm']);
  });

  it('leaves the old content and no temp file when the new one cannot be put in place', async () => {
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomicAsync(target, 'x')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['inside']);
    expect(() => writeFileAtomic(target, 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('removes the temp files of interrupted writes, and nothing else', () => {
    mkdirSync(join(dir, 'apps', 'clock'), { recursive: true });
    const stale = [join(dir, '.device.json.123.0.tmp'), join(dir, 'apps', 'clock', '.kv.json.456.7.tmp')];
    const kept = [join(dir, 'device.json'), join(dir, 'apps', 'clock', 'kv.json'), join(dir, 'apps', '.staging-x'), join(dir, '.hidden.tmp')];
    for (const file of [...stale, ...kept]) writeFileSync(file, 'x');
    expect(removeStaleTempFiles(dir).sort()).toEqual([...stale].sort());
    for (const file of stale) expect(existsSync(file)).toBe(false);
    for (const file of kept) expect(existsSync(file)).toBe(true);
  });
});
