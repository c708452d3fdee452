/**
 * The launcher's bundle and code cache (cli-bundle.ts), built, in plain Node processes as the
 * `megabit` command runs them: a bundle with a code cache runs from it on the next start, its
 * `import()` still works then, a corrupt or truncated cache only costs the compile (and is
 * written anew), caches of other bundles are removed, and a bundle older than the compiled
 * modules is not used: `cli.js` runs the bundle the build made, and the modules after a `tsc -b`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI } from './helpers/bridge-process';

const LAUNCHER = join(BRIDGE_CLI, '..', 'cli-bundle.js');
const { BANNER } = require('../scripts/bundle-cli.js') as { BANNER: string };

/** A bundle shaped like the real one (its banner, a `finished` export), with an `import()` of an ES module and enough code to cache. */
function fixtureBundle(marker: string): string {
  const functions = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${JSON.stringify(marker)}.length; }`).join('\n');
  return `${BANNER}
${functions}
exports.finished = (async () => {
  const { join } = await __megabitImport('node:path');
  let sum = 0;
  for (let i = 0; i < 200; i++) sum += eval('f' + i)(1);
  exports.value = join('a', ${JSON.stringify(marker)}) + ':' + sum;
  return -1;
})();
`;
}

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'megabit-cli-bundle-'));
  cacheDir = join(dir, 'cache');
  mkdirSync(cacheDir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  cache: 'none' | 'accepted' | 'rejected';
  value: string;
  files: string[];
}

/** Runs the bundle `hash` as the launcher does, in a Node process of its own; what it says once the cache is saved. */
async function runBundle(hash: string): Promise<Run> {
  const script = `
const { runBundleWithCache } = require(${JSON.stringify(LAUNCHER)});
const { readdirSync } = require('node:fs');
const run = runBundleWithCache(${JSON.stringify(join(dir, 'cli.bundle.js'))}, { hash: ${JSON.stringify(hash)}, builtFrom: [] }, ${JSON.stringify(cacheDir)});
run.saved.then(() => {
  process.stdout.write(JSON.stringify({ cache: run.cache, value: run.main.value, files: readdirSync(${JSON.stringify(cacheDir)}).sort() }));
});
`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 60_000 });
  return JSON.parse(stdout) as Run;
}

const HASH = 'a'.repeat(64);
const cacheFile = (): string => join(cacheDir, readdirSync(cacheDir)[0]);

it('a start writes the code cache once the bridge runs; the next start runs from it, import() included', async () => {
  writeFileSync(join(dir, 'cli.bundle.js'), fixtureBundle('one'));
  const first = await runBundle(HASH);
  expect(first).toMatchObject({ cache: 'none', value: `a/one:${(200 * 199) / 2 + 200 * 3}` });
  expect(first.files).toEqual([`cli-${'a'.repeat(32)}-${process.version}-${process.arch}.v8cache`]);
  const written = statSync(cacheFile()).mtimeMs;
  const second = await runBundle(HASH);
  expect(second).toMatchObject({ cache: 'accepted', value: first.value, files: first.files });
  // Taken as it was: not written again.
  expect(statSync(cacheFile()).mtimeMs).toBe(written);
});

it.each([
  ['garbage', (cache: Buffer) => Buffer.alloc(cache.length, 0x5a)],
  ['truncated', (cache: Buffer) => cache.subarray(0, cache.length >> 1)],
  [
    'one byte changed in the middle',
    (cache: Buffer) =>
      Buffer.concat([cache.subarray(0, cache.length >> 1), Buffer.from([cache[cache.length >> 1] ^ 0xff]), cache.subarray((cache.length >> 1) + 1)]),
  ],
  ['empty', () => Buffer.alloc(0)],
])('a %s cache is refused: the bridge starts all the same and the cache is written anew', async (_, spoil) => {
  writeFileSync(join(dir, 'cli.bundle.js'), fixtureBundle('two'));
  await runBundle(HASH);
  writeFileSync(cacheFile(), spoil(readFileSync(cacheFile())));
  const spoiled = await runBundle(HASH);
  expect(spoiled.value).toMatch(/^a\/two:/);
  expect(spoiled.cache).not.toBe('accepted');
  expect((await runBundle(HASH)).cache).toBe('accepted');
});

it('a cache is keyed by the bundle: another bundle compiles anew and its cache replaces the old one', async () => {
  writeFileSync(join(dir, 'cli.bundle.js'), fixtureBundle('three'));
  const old = await runBundle(HASH);
  writeFileSync(join(dir, 'cli.bundle.js'), fixtureBundle('four'));
  const other = await runBundle('b'.repeat(64));
  expect(other.cache).toBe('none');
  expect(other.value).toMatch(/^a\/four:/);
  expect(other.files).toHaveLength(1);
  expect(other.files).not.toEqual(old.files);
});

describe('currentBundle', () => {
  const { currentBundle, writableFolder } = require(LAUNCHER) as typeof import('../src/cli-bundle');
  let dist: string;
  let buildInfo: string;
  beforeEach(() => {
    dist = join(dir, 'dist');
    mkdirSync(dist);
    buildInfo = join(dir, 'tsconfig.tsbuildinfo');
    writeFileSync(buildInfo, '{}');
    writeFileSync(join(dist, 'cli.bundle.js'), '');
    const { size, mtimeMs } = statSync(buildInfo);
    writeFileSync(
      join(dist, 'cli.bundle.json'),
      JSON.stringify({
        hash: HASH,
        builtFrom: [
          { path: 'tsconfig.tsbuildinfo', size, mtimeMs },
          { path: '../x/tsconfig.tsbuildinfo', missing: true },
        ],
      }),
    );
  });

  it('is used while the build info it was made from is unchanged', () => {
    expect(currentBundle(dist)?.hash).toBe(HASH);
  });

  it('is not used once tsc -b has compiled again (the build info changed)', () => {
    utimesSync(buildInfo, new Date(), new Date(Date.now() + 5000));
    expect(currentBundle(dist)).toBeUndefined();
  });

  it('is used where there is no build info (the installed package)', () => {
    rmSync(buildInfo);
    expect(currentBundle(dist)?.hash).toBe(HASH);
  });

  it('is not used when a project that had none has build info now, or without its stamp', () => {
    writeFileSync(join(dist, 'cli.bundle.json'), JSON.stringify({ hash: HASH, builtFrom: [{ path: 'tsconfig.tsbuildinfo', missing: true }] }));
    expect(currentBundle(dist)).toBeUndefined();
    rmSync(join(dist, 'cli.bundle.json'));
    expect(currentBundle(dist)).toBeUndefined();
  });

  it('the cache goes to the first folder that can be made and written', () => {
    const blocked = join(dir, 'a-file');
    writeFileSync(blocked, '');
    expect(writableFolder([join(blocked, 'code'), join(dir, 'user', 'code')])).toBe(join(dir, 'user', 'code'));
    expect(writableFolder([join(blocked, 'code')])).toBeUndefined();
  });

  it('the cache never goes to a folder others can write, or through a symlink', () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const own = join(dir, 'own');
    mkdirSync(own, { mode: 0o700 });
    const link = join(dir, 'link');
    symlinkSync(own, link);
    expect(writableFolder([shared, link, join(dir, 'user', 'code')])).toBe(join(dir, 'user', 'code'));
    chmodSync(shared, 0o755);
    expect(writableFolder([shared])).toBe(shared);
  });

  it("systemd's CacheDirectory comes first, then the package's folder, then the user's", () => {
    const { codeCacheFolders } = require(LAUNCHER) as typeof import('../src/cli-bundle');
    expect(codeCacheFolders('/pkg', { CACHE_DIRECTORY: '/var/cache/megabit', XDG_CACHE_HOME: '/home/u/.cache' })).toEqual([
      '/var/cache/megabit/code',
      '/pkg/.cache/code',
      '/home/u/.cache/megabit/code',
    ]);
    expect(codeCacheFolders('/pkg', { XDG_CACHE_HOME: '/home/u/.cache' })).toEqual(['/pkg/.cache/code', '/home/u/.cache/megabit/code']);
  });
});

describe('the bundle the build made', () => {
  it('is ASCII only: one other character would make V8 hold the whole source in two bytes a character', () => {
    const { asciiOnly } = require('../scripts/bundle-cli.js') as { asciiOnly(code: string): string };
    expect(asciiOnly('/** a \u2192 b */ x')).toBe('/** a \\u{2192} b */ x');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range is the point
    expect(/[^\x00-\x7f]/.test(readFileSync(join(BRIDGE_CLI, '..', 'cli.bundle.js'), 'latin1'))).toBe(false);
  });
});

describe('the megabit command (dist/cli.js)', () => {
  /** Runs `cli.js --version` in `distDir`; whether it loaded the compiled modules (main.js) rather than the bundle. */
  async function loadedModules(distDir: string): Promise<{ version: string; modules: boolean }> {
    const script = `
process.argv = [process.argv[0], 'cli.js', '--version'];
process.on('exit', () => process.stderr.write(JSON.stringify(Object.keys(require.cache).some((f) => f.endsWith('/dist/main.js')))));
require(${JSON.stringify(join(distDir, 'cli.js'))});
`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 60_000 });
    return { version: stdout.trim(), modules: JSON.parse(stderr) as boolean };
  }

  it('runs the bundle the build made', async () => {
    const run = await loadedModules(join(BRIDGE_CLI, '..'));
    expect(run.version).toMatch(/^\d+\.\d+\.\d+/);
    // Fails after a `tsc -b` alone, which leaves the bundle older than the modules: run `npm run build`.
    expect(run.modules).toBe(false);
  });

  it('runs the compiled modules once tsc -b has compiled after the bundle was made', async () => {
    // A copy inside the checkout, so that the installed packages resolve as from bridge/.
    const checkoutCache = join(BRIDGE_CLI, '..', '..', '..', '.cache');
    mkdirSync(checkoutCache, { recursive: true });
    const copy = mkdtempSync(join(checkoutCache, 'test-cli-bundle-'));
    try {
      cpSync(join(BRIDGE_CLI, '..'), join(copy, 'dist'), { recursive: true, filter: (src) => !src.includes('/simulator') });
      cpSync(join(BRIDGE_CLI, '..', '..', 'package.json'), join(copy, 'package.json'));
      cpSync(join(BRIDGE_CLI, '..', '..', 'tsconfig.tsbuildinfo'), join(copy, 'tsconfig.tsbuildinfo'));
      // As the build leaves it: the bundle stamped with the build info as it is now.
      const stampFile = join(copy, 'dist', 'cli.bundle.json');
      const { size, mtimeMs } = statSync(join(copy, 'tsconfig.tsbuildinfo'));
      const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { builtFrom: Array<{ path: string }> };
      stamp.builtFrom = stamp.builtFrom.map((info) => (info.path === 'tsconfig.tsbuildinfo' ? { path: info.path, size, mtimeMs } : info));
      writeFileSync(stampFile, JSON.stringify(stamp));
      expect((await loadedModules(join(copy, 'dist'))).modules).toBe(false);
      writeFileSync(join(copy, 'tsconfig.tsbuildinfo'), `${readFileSync(join(copy, 'tsconfig.tsbuildinfo'), 'utf8')} `);
      const run = await loadedModules(join(copy, 'dist'));
      expect(run).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), modules: true });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
