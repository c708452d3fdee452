/**
 * An app folder's build, as the app tools see it: whether its sources changed since `build/` was
 * written, and running its `npm run build`. Install and preview both rebuild through here.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What an app is built from: its code, the images it embeds, its manifest. */
const SOURCES = ['assembly', 'images', 'manifest.json'];

/** Newest modification time under `path` (a file or a folder), with the file it belongs to. */
function newest(path: string): { file: string; mtimeMs: number } | undefined {
  if (!existsSync(path)) return undefined;
  const stats = statSync(path);
  if (!stats.isDirectory()) return { file: path, mtimeMs: stats.mtimeMs };
  // The folder's own time changes when a file in it is added, renamed or deleted.
  let found: { file: string; mtimeMs: number } = { file: path, mtimeMs: stats.mtimeMs };
  for (const name of readdirSync(path)) {
    const candidate = newest(join(path, name));
    if (candidate && candidate.mtimeMs > found.mtimeMs) found = candidate;
  }
  return found;
}

/**
 * The source file (relative to `root`) saved after the build in `root/build` was written, or
 * undefined when the build is newer than every source (or there is no build/ to compare with).
 */
export function changedSinceBuild(root: string): string | undefined {
  const build = join(root, 'build');
  if (!existsSync(join(build, 'manifest.json'))) return undefined;
  // What every build writes (other files there may be left alone when unchanged). The older one is
  // the build's time: a build interrupted half-way counts as old.
  const outputs = readdirSync(build)
    .filter((name) => name === 'manifest.json' || name.endsWith('.wasm'))
    .map((name) => statSync(join(build, name)).mtimeMs);
  const builtAt = Math.min(...outputs);
  let changed: { file: string; mtimeMs: number } | undefined;
  for (const source of SOURCES) {
    const candidate = newest(join(root, source));
    if (candidate && candidate.mtimeMs > builtAt && (!changed || candidate.mtimeMs > changed.mtimeMs)) changed = candidate;
  }
  return changed ? relative(root, changed.file) : undefined;
}

/** Whether `npm run build` means something in `root`. */
export function hasBuildScript(root: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return typeof pkg.scripts?.build === 'string';
  } catch {
    return false;
  }
}

/** Runs `npm run build` in `root`; on failure prints what it said. Resolves true when it succeeded. */
export function buildApp(root: string, print: (line: string) => void): Promise<boolean> {
  return new Promise((resolveBuild) => {
    const child = spawn('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => {
      print(`build failed: ${e.message}`);
      resolveBuild(false);
    });
    child.on('close', (code) => {
      if (code !== 0) print(`build failed:\n${output.trim()}`);
      resolveBuild(code === 0);
    });
  });
}
