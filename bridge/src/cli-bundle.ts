/**
 * Loads the bridge for the `megabit` command: the one-file bundle of its modules that the build
 * writes (dist/cli.bundle.js, scripts/bundle-cli.js) when it is there and built from the
 * compiled modules as they are now, else the modules themselves (./main). Either way with a V8
 * code cache, so a start after the first compiles little: Node's own (`module.enableCompileCache`,
 * Node 22.8 and later; it covers the installed packages too), else, on Node 20, one cache of the
 * bundle's compiled code made with `vm.Script` once the bridge has started.
 *
 * The cache only ever saves time: missing, unreadable, corrupt or made by another Node, V8
 * rejects it or it is not read, the code compiles as without it, and a new one is written. It is
 * keyed by the bundle's hash, Node's version and the CPU, and lives in the bridge package's
 * `.cache/code/` when that can be written (a checkout, a user's own install), else in
 * `$XDG_CACHE_HOME/megabit/code/` (default `~/.cache/megabit/code/`). NODE_DISABLE_COMPILE_CACHE=1,
 * Node's own switch, turns both off. Only node: modules and util/keep-liftoff-code.ts (a V8 flag
 * that must hold before a cache is read) are loaded here, before the bridge's.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { keepLiftoffCode } from './util/keep-liftoff-code';

/** What main.ts exports: settles with -1 once the bridge runs, else with the command's exit code. */
export interface MainModule {
  finished: Promise<number>;
}

/** dist/cli.bundle.json, as scripts/bundle-cli.js writes it. */
export interface BundleStamp {
  hash: string;
  builtFrom: Array<{ path: string; size?: number; mtimeMs?: number; missing?: true }>;
}

const WRAPPER_START = '(function (exports, require, module, __filename, __dirname, __megabitDynamicImport) {';
const WRAPPER_END = '\n})';

const CACHE_PREFIX = 'cli-';
const CACHE_SUFFIX = '.v8cache';

/**
 * The bundle's stamp when the bundle can stand for the modules: every build info it names that
 * exists now is as it was when bundled (a `tsc -b` since then rewrote it). A missing one is no
 * sign of change: the installed package has no build info at all.
 */
export function currentBundle(distDir: string): BundleStamp | undefined {
  let stamp: BundleStamp;
  try {
    stamp = JSON.parse(readFileSync(join(distDir, 'cli.bundle.json'), 'utf8')) as BundleStamp;
    statSync(join(distDir, 'cli.bundle.js'));
  } catch {
    return undefined;
  }
  const packageDir = dirname(distDir);
  for (const info of stamp.builtFrom) {
    let now: { size: number; mtimeMs: number } | undefined;
    try {
      now = statSync(join(packageDir, info.path));
    } catch {
      continue;
    }
    if (info.missing || now.size !== info.size || now.mtimeMs !== info.mtimeMs) return undefined;
  }
  return stamp;
}

/**
 * Whether code read from `dir` can be trusted as much as the bridge's own: V8 runs a code cache
 * as compiled code, and the digest in front of it only catches damage, since whoever can write
 * the folder can write a matching digest. So the folder must be a real folder (no symlink),
 * owned by this user, and writable by no one else (docs/security.md, "The start-up code cache").
 */
function ownPrivateFolder(dir: string): boolean {
  const stat = lstatSync(dir);
  const uid = process.geteuid?.();
  return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
}

/** The first folder of `candidates` that exists or can be made, can be written and is this user's own; undefined when none. */
export function writableFolder(candidates: readonly string[]): string | undefined {
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      accessSync(dir, constants.W_OK);
      if (ownPrivateFolder(dir)) return dir;
    } catch {
      // read-only (a global install owned by root) or no such home: the next one
    }
  }
  return undefined;
}

/**
 * Where the code cache may live, in order: the folder systemd gives the service
 * (`CacheDirectory=`, `$CACHE_DIRECTORY`), the bridge package's own `.cache/code/`, the user's cache.
 */
export function codeCacheFolders(packageDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const userCache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const service = env.CACHE_DIRECTORY ? [join(env.CACHE_DIRECTORY.split(':')[0], 'code')] : [];
  return [...service, join(packageDir, '.cache', 'code'), join(userCache, 'megabit', 'code')];
}

/** The Node 20 cache file of a bundle: its content hash, this Node and this CPU. */
export function codeCacheFile(dir: string, bundleHash: string): string {
  return join(dir, `${CACHE_PREFIX}${bundleHash.slice(0, 32)}-${process.version}-${process.arch}${CACHE_SUFFIX}`);
}

const DIGEST_BYTES = 32;
const digest = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

/**
 * The cache's code when the file holds it whole: V8 checks that a cache fits the source, the
 * flags and its own version, but not (in release builds) that its bytes are intact, so the file
 * starts with their SHA-256. Undefined when missing or unreadable.
 */
export function readCodeCache(file: string): Buffer | 'damaged' | undefined {
  try {
    const contents = readFileSync(file);
    const data = contents.subarray(DIGEST_BYTES);
    return contents.length > DIGEST_BYTES && digest(data).equals(contents.subarray(0, DIGEST_BYTES)) ? data : 'damaged';
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache whole, off the main thread (util/atomic-file.ts, loaded only now: before the
 * bridge runs, this module loads nothing of the bridge's but util/keep-liftoff-code.ts), then
 * removes the caches of other bundles or Nodes beside it. Never rejects.
 */
export async function saveCodeCache(file: string, data: Buffer): Promise<void> {
  try {
    const { writeFileAtomicAsync } = require('./util/atomic-file') as typeof import('./util/atomic-file');
    await writeFileAtomicAsync(file, Buffer.concat([digest(data), data]));
    const dir = dirname(file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(CACHE_PREFIX) && name.endsWith(CACHE_SUFFIX) && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // a cache that cannot be written costs the next start its compile, nothing more
  }
}

/**
 * Runs the bundle as a CommonJS module of its own file, compiled with `cachedData` when the cache
 * is there; once the bridge has started (after its first frame), the code compiled by then is
 * saved for the next start when V8 did not take the one it had; `saved` settles, after `finished`, once that is done (or nothing was to be saved).
 */
export function runBundleWithCache(
  bundleFile: string,
  stamp: BundleStamp,
  cacheDir: string | undefined,
): { main: MainModule; cache: 'none' | 'accepted' | 'rejected'; saved: Promise<void> } {
  const cacheFile = cacheDir ? codeCacheFile(cacheDir, stamp.hash) : undefined;
  const stored = cacheFile ? readCodeCache(cacheFile) : undefined;
  const cachedData = stored === 'damaged' ? undefined : stored;
  const source = readFileSync(bundleFile);
  // A shebang line is not JavaScript inside the wrapper: kept as a comment, so line numbers stay.
  if (source[0] === 0x23 && source[1] === 0x21) source.write('//', 0, 'latin1');
  // A script compiled from a code cache has lost its `import()` callback in V8: the bundle's
  // `import()`s (aedes, an ES module) call this module's instead (scripts/bundle-cli.js), which
  // resolves from the same folder. The wrapper is joined as bytes, so V8 gets one flat string: a
  // string joined to the source would be copied whole when compiled, and the bundle's source
  // would be held twice until a full collection (1.9 MB of an idle bridge, docs/performance.md §4).
  const wrapped = Buffer.concat([Buffer.from(WRAPPER_START), source, Buffer.from(WRAPPER_END)]).toString('utf8');
  const script = new Script(wrapped, { filename: bundleFile, cachedData });
  const bundleModule = new Module(bundleFile, module);
  bundleModule.filename = bundleFile;
  bundleModule.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundleFile));
  const bundleRequire = Object.assign((id: string) => bundleModule.require(id), {
    resolve: Object.assign((id: string, options?: { paths?: string[] }) => require.resolve(id, { paths: options?.paths ?? [dirname(bundleFile)] }), {
      paths: (id: string) => require.resolve.paths(id),
    }),
    cache: require.cache,
    main: require.main,
    extensions: require.extensions,
  });
  const dynamicImport = (specifier: string): Promise<unknown> => import(specifier);
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    bundleModule.exports,
    bundleModule.exports,
    bundleRequire,
    bundleModule,
    bundleFile,
    dirname(bundleFile),
    dynamicImport,
  );
  bundleModule.loaded = true;
  const main = bundleModule.exports as MainModule;
  const cache = stored === undefined ? 'none' : stored === 'damaged' || script.cachedDataRejected ? 'rejected' : 'accepted';
  const saved = main.finished.then((code) =>
    cacheFile && cache !== 'accepted' && code === -1 ? saveCodeCache(cacheFile, script.createCachedData()) : undefined,
  );
  return { main, cache, saved };
}

/** Loads and runs the bridge's CLI (main.ts) from `distDir`, by the fastest way this Node and build allow. */
export function loadBridge(distDir: string): MainModule {
  // Before any code cache is read: the bridge sets this flag anyway, and a cache is checked against the flags.
  keepLiftoffCode();
  const caching = process.env.NODE_DISABLE_COMPILE_CACHE === undefined || process.env.NODE_DISABLE_COMPILE_CACHE === '';
  const cacheDir = caching ? writableFolder(codeCacheFolders(dirname(distDir))) : undefined;
  const { enableCompileCache, flushCompileCache } = Module as unknown as { enableCompileCache?: (dir?: string) => unknown; flushCompileCache?: () => void };
  const stamp = currentBundle(distDir);
  const entry = stamp ? join(distDir, 'cli.bundle.js') : join(distDir, 'main.js');
  if (enableCompileCache && cacheDir) {
    // Node keys its cache by each file's content and checks it itself; it writes it at exit, or when told (22.10+).
    enableCompileCache(cacheDir);
    const main = require(entry) as MainModule;
    void main.finished.then((code) => {
      if (code === -1) flushCompileCache?.();
    });
    return main;
  }
  if (stamp) return runBundleWithCache(entry, stamp, cacheDir).main;
  return require(entry) as MainModule;
}
