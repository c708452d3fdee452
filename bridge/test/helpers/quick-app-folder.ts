/**
 * An app source folder that builds in a moment: its `npm run build` copies a built example's
 * module into build/ with a manifest whose version is read from assembly/index.ts, and fails
 * like a compiler when the source says "syntax error". For the app tools' tests (install,
 * preview), where what matters is when a build runs and what it installs, not the compiler.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bridge-process';

const WASM = join(REPO_ROOT, 'apps', 'examples', 'plasma', 'build', 'plasma.wasm');

const BUILD_SCRIPT = `
const fs = require('node:fs');
const source = fs.readFileSync('assembly/index.ts', 'utf8');
if (source.includes('syntax error')) { console.error('ERROR TS1005: assembly/index.ts: ";" expected'); process.exit(1); }
const manifest = JSON.parse(fs.readFileSync('manifest.json', 'utf8'));
manifest.version = /version (\\S+)/.exec(source)[1];
fs.mkdirSync('build', { recursive: true });
fs.copyFileSync(${JSON.stringify(WASM)}, 'build/app.wasm');
fs.writeFileSync('build/manifest.json', JSON.stringify(manifest));
`;

/** The source text that builds as `version` (plus `extra`, e.g. "syntax error"). */
export const appSource = (version: string, extra = ''): string => `// version ${version}\n${extra}`;

/** Writes `<parent>/<id>/` with its source at `version`, not built yet. */
export function quickAppFolder(parent: string, id: string, version: string): string {
  const dir = join(parent, id);
  mkdirSync(join(dir, 'assembly'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id, name: id, version: '0.0.0', bin: 'app.wasm', refresh_period_ms: 1000 }));
  writeFileSync(join(dir, 'build.js'), BUILD_SCRIPT);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: id, private: true, scripts: { build: 'node build.js' } }));
  writeFileSync(join(dir, 'assembly', 'index.ts'), appSource(version));
  return dir;
}
