/**
 * Builds the installable package into dist/: each node's runtime bundled with esbuild (the
 * contract compiled in from contract/src, its only source; mqtt stays a dependency), next to the
 * editor forms, help, icons and locales that Node-RED looks for beside each node file.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const editor = path.join(root, 'editor');
const nodesDir = path.join(root, 'src', 'nodes');

fs.rmSync(dist, { recursive: true, force: true });
const entryPoints = fs.readdirSync(nodesDir).filter((f) => f.endsWith('.ts')).map((f) => path.join(nodesDir, f));
esbuild.buildSync({
  entryPoints,
  outdir: dist,
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['mqtt'],
  alias: { '@megabit/contract': path.join(root, '..', 'contract', 'src', 'index.ts') },
  logLevel: 'warning',
});
fs.cpSync(editor, dist, { recursive: true });
