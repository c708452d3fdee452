#!/usr/bin/env node
/**
 * Bundles the bridge's own compiled modules (dist/main.js and everything it requires from dist/,
 * and the contract) into dist/cli.bundle.js, so a start reads and compiles one file instead of
 * about 180 (docs/performance.md, section 5). Run by the build right after `tsc -b`. Installed
 * packages stay outside the bundle (required from node_modules as before), and so does
 * @megabit/fonts, which finds its data files from its own folder.
 *
 * Modules that use `__dirname`/`__filename` (the worker script, the validators' code, the icons,
 * the example apps) keep the values of their own compiled file: each such module gets them
 * computed from the bundle's folder and the module's path relative to it, the same in a checkout
 * and in the installed package (both keep dist/'s layout).
 *
 * Beside the bundle, dist/cli.bundle.json says what it was built from: the bundle's hash (the code
 * cache is keyed by it) and the size and time of each TypeScript project's build info. A `tsc -b`
 * run after this rewrites those, and the launcher (src/cli-bundle.ts) then loads the modules, not
 * a bundle of older code. Both files are written whole or not at all.
 */
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, realpathSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, sep } = require('node:path');
const esbuild = require('esbuild');

const bridgeDir = join(__dirname, '..');
const distDir = join(bridgeDir, 'dist');
const BUNDLE = join(distDir, 'cli.bundle.js');
const STAMP = join(distDir, 'cli.bundle.json');
/** The build info of the projects compiled into the bundle, relative to the bridge's folder. */
const BUILD_INFO = ['tsconfig.tsbuildinfo', join('..', 'contract', 'tsconfig.tsbuildinfo')];
/** Packages bundled in: the workspace packages whose code has no file paths of its own. */
const BUNDLED_PACKAGES = ['@megabit/contract'];

/**
 * The bundle's first lines: strict mode, its folder (for the modules' own paths, below), and the `import()` it
 * uses, the launcher's when it passes one (src/cli-bundle.ts), else its own.
 */
const BANNER = [
  // First, to keep the whole bundle strict as every compiled module is.
  "'use strict';",
  'var __megabitBundleDir = __dirname;',
  "var __megabitImport = typeof __megabitDynamicImport === 'function' ? __megabitDynamicImport : (specifier) => import(specifier);",
].join('\n');

const toPosix = (path) => path.split(sep).join('/');

/** Gives every module that reads `__dirname`/`__filename` its own compiled file's values. */
const ownPaths = {
  name: 'own-paths',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const file = realpathSync(args.path);
      // Node 20 runs the bundle as a vm.Script from its code cache, and V8 then loses the script's
      // `import()` callback: the launcher passes one in (src/cli-bundle.ts); `require` has Node's own.
      const code = readFileSync(file, 'utf8').replace(/\bimport\((?=['"])/g, '__megabitImport(');
      if (!/\b__(dirname|filename)\b/.test(code)) return { contents: code, loader: 'js', resolveDir: dirname(file) };
      const dir = JSON.stringify(toPosix(relative(distDir, dirname(file))));
      const name = JSON.stringify(toPosix(relative(distDir, file)));
      const header = `var __dirname = require("node:path").join(__megabitBundleDir, ${dir}), __filename = require("node:path").join(__megabitBundleDir, ${name});\n`;
      return { contents: header + code, loader: 'js', resolveDir: dirname(file) };
    });
  },
};

/** Installed packages and Node's modules stay `require`s; relative paths and the bundled packages are bundled. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (BUNDLED_PACKAGES.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

function buildInfoStamps() {
  return BUILD_INFO.map((path) => {
    try {
      const stat = statSync(join(bridgeDir, path));
      return { path: toPosix(path), size: stat.size, mtimeMs: stat.mtimeMs };
    } catch {
      return { path: toPosix(path), missing: true };
    }
  });
}

async function bundleCli() {
  // Taken before bundling: a tsc -b that ends meanwhile makes the stamp stale, never the bundle trusted wrongly.
  const builtFrom = buildInfoStamps();
  const result = await esbuild.build({
    entryPoints: [join(distDir, 'main.js')],
    outfile: BUNDLE,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The compiled modules as they are: same names in stack traces, no second minifier's surprises.
    minify: false,
    banner: { js: BANNER },
    plugins: [externalPackages, ownPaths],
    logLevel: 'warning',
  });
  const code = asciiOnly(result.outputFiles[0].text);
  const hash = createHash('sha256').update(code).digest('hex');
  writeWhole(BUNDLE, code);
  writeWhole(STAMP, `${JSON.stringify({ hash, builtFrom }, null, 2)}\n`);
  return { bundle: BUNDLE, hash };
}

/**
 * The bundle in ASCII. esbuild escapes strings and regular expressions, not comments; one `→` in a
 * comment makes V8 hold the whole source as a two-byte string, twice the memory for as long as
 * the bridge runs (docs/performance.md, section 4). Left in a comment, `\u2192` means nothing; a
 * non-ASCII character anywhere else would already have been escaped by esbuild.
 */
function asciiOnly(code) {
  return code.replace(/[^\p{ASCII}]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
}

function writeWhole(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

module.exports = { BANNER, BUNDLE, STAMP, asciiOnly, bundleCli };

if (require.main === module) {
  bundleCli().catch((e) => {
    process.stderr.write(`bundle-cli: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
