import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('writes files 0600 in folders it makes 0700, whatever the umask', async () => {
    const mode = (path: string): number => statSync(path).mode & 0o777;
    const umask = process.umask(0);
    try {
      writeFileAtomic(join(dir, 'sync', 'deep', 'kv.json'), '{}');
      await writeFileAtomicAsync(join(dir, 'async', 'config.json'), '{}');
      // A file that existed with a looser mode is replaced by a private one.
      writeFileSync(join(dir, 'old.json'), 'old', { mode: 0o644 });
      writeFileAtomic(join(dir, 'old.json'), 'new');
    } finally {
      process.umask(umask);
    }
    expect([mode(join(dir, 'sync')), mode(join(dir, 'sync', 'deep')), mode(join(dir, 'async'))]).toEqual([0o700, 0o700, 0o700]);
    expect([mode(join(dir, 'sync', 'deep', 'kv.json')), mode(join(dir, 'async', 'config.json')), mode(join(dir, 'old.json'))]).toEqual([0o600, 0o600, 0o600]);
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
