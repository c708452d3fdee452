/**
 * AssemblyScript test apps (fixtures/sandbox/assembly/*.ts) compiled at test time, once: the
 * result is cached by source + compiler version in the checkout's git-ignored .cache/, so parallel
 * test files and re-runs compile once (~3 s each); nothing compiled is committed. The cache is in
 * the checkout and not the OS temp folder, so a test run leaves nothing behind in /tmp.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'sandbox', 'assembly');
/** <repo>/.cache/test-fixtures (bridge/test/helpers/sandbox → repo root). */
export const FIXTURE_CACHE = join(__dirname, '..', '..', '..', '..', '.cache', 'test-fixtures');

/**
 * fixtures/sandbox/assembly/<name>.ts compiled with its abort handler `<name>/<abort>`. Compiled
 * in a folder of its own and renamed into place, so two test files that ask at once never read
 * half a module.
 */
export async function compiledFixture(name: string, abort: string): Promise<Uint8Array> {
  const ascPackage = require.resolve('assemblyscript/package.json');
  const ascVersion = (JSON.parse(readFileSync(ascPackage, 'utf8')) as { version: string }).version;
  const sourceFile = join(FIXTURES, `${name}.ts`);
  const key = createHash('sha256').update(readFileSync(sourceFile)).update(ascVersion).digest('hex').slice(0, 16);
  const cached = join(FIXTURE_CACHE, `${name}-${key}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));

  mkdirSync(FIXTURE_CACHE, { recursive: true });
  const work = mkdtempSync(join(FIXTURE_CACHE, 'build-'));
  try {
    copyFileSync(sourceFile, join(work, `${name}.ts`));
    const asc = join(dirname(ascPackage), 'bin', 'asc.js');
    await promisify(execFile)(
      process.execPath,
      [asc, `${name}.ts`, '--outFile', `${name}.wasm`, '--use', `abort=${name}/${abort}`, '-O2', '--runtime', 'stub', '--noAssert'],
      { cwd: work, timeout: 120_000 },
    );
    renameSync(join(work, `${name}.wasm`), cached);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return new Uint8Array(readFileSync(cached));
}
