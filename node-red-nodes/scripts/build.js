/**
 * Builds the installable package into dist/: each node's runtime bundled with esbuild (the
 * contract compiled in from contract/src, its only source; mqtt stays a dependency), next to the
 * editor forms, help, icons and locales that Node-RED looks for beside each node file.
 * Node-RED loads one HTML file per node, so the form rows every node shares are written once in
 * editor/partials/ and spliced in here where a form says `<!-- include NAME -->`.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const editor = path.join(root, 'editor');
const nodesDir = path.join(root, 'src', 'nodes');

fs.rmSync(dist, { recursive: true, force: true });
const entryPoints = fs
  .readdirSync(nodesDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(nodesDir, f));
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
for (const dir of ['icons', 'locales']) {
  fs.cpSync(path.join(editor, dir), path.join(dist, dir), { recursive: true });
}

const partials = path.join(editor, 'partials');
function expandIncludes(html, file) {
  return html.replace(/^ *<!-- include ([a-z-]+) -->\n/gm, (_, name) => {
    const partial = path.join(partials, `${name}.html`);
    if (!fs.existsSync(partial)) throw new Error(`${file}: no partial ${name} in ${partials}`);
    return fs.readFileSync(partial, 'utf8');
  });
}
for (const file of fs.readdirSync(editor).filter((f) => f.endsWith('.html'))) {
  const html = fs.readFileSync(path.join(editor, file), 'utf8');
  fs.writeFileSync(path.join(dist, file), expandIncludes(html, file));
}
