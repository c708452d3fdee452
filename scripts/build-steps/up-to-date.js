/**
 * Whether a build step must run: a fingerprint of its inputs (every file's path, size and
 * modification time, and the step's command) compared with the one stamped when the step last
 * succeeded, and its outputs present. Times and sizes, not contents: reading a stat is cheap
 * enough to check every step on each `npm start`, and any edit, touch, checkout or copy of a
 * file changes its time. A file added or removed under an input folder changes the list.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** Never an input: installed packages (the lockfile stands for them). */
const SKIPPED_NAMES = new Set(['node_modules']);

/** The stamps live with the installed packages, so `npm ci` (which builds everything again) starts without any. */
function stampDir(root) {
  return path.join(root, 'node_modules', '.cache', 'megabit-build');
}

/** `a` is `b` or inside it (both relative to the root, with forward slashes). */
function within(a, b) {
  return a === b || a.startsWith(`${b}/`);
}

/**
 * Reads of the file tree, shared by the steps checked one after another (several steps read the
 * contract or the SDK): a path's stat and a folder's names. Valid only until a step runs and
 * writes; the driver starts a new one then.
 */
function treeReader(root) {
  const stats = new Map();
  const listings = new Map();
  return {
    stat(rel) {
      if (!stats.has(rel)) {
        let stat = null;
        try {
          stat = fs.statSync(path.join(root, rel));
        } catch {
          // missing: null
        }
        stats.set(rel, stat);
      }
      return stats.get(rel);
    },
    list(rel) {
      if (!listings.has(rel)) listings.set(rel, fs.readdirSync(path.join(root, rel)));
      return listings.get(rel);
    },
  };
}

/** One line per input file (path, size, mtime), or per input that is missing; sorted, so the walk order does not matter. */
function inputEntries(root, step, tree = treeReader(root)) {
  const excluded = [...step.ignore, ...step.generated, ...step.outputs];
  const entries = new Set();
  const visit = (rel) => {
    if (excluded.some((x) => within(rel, x))) return;
    const stat = tree.stat(rel);
    if (!stat) {
      entries.add(`${rel}\tmissing`);
      return;
    }
    if (!stat.isDirectory()) {
      entries.add(`${rel}\t${stat.size}\t${stat.mtimeMs}`);
      return;
    }
    for (const name of tree.list(rel)) {
      if (!SKIPPED_NAMES.has(name)) visit(`${rel}/${name}`);
    }
  };
  for (const input of step.inputs) visit(input);
  return [...entries].sort();
}

function fingerprint(root, step, tree) {
  const hash = crypto.createHash('sha256');
  hash.update(`${step.command}\n`);
  for (const entry of inputEntries(root, step, tree)) hash.update(`${entry}\n`);
  return hash.digest('hex');
}

function stampFile(root, step) {
  return path.join(stampDir(root), `${step.name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/** Why the step must run, or undefined when its stamp matches `print` and its outputs are there. */
function staleReason(root, step, print) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile(root, step), 'utf8'));
  } catch {
    return 'never built here';
  }
  if (stamp.fingerprint !== print) return 'inputs changed';
  const missing = step.outputs.find((output) => !fs.existsSync(path.join(root, output)));
  return missing ? `${missing} is missing` : undefined;
}

/** Records a successful run of the step on inputs with fingerprint `print`; written whole or not at all. */
function writeStamp(root, step, print) {
  const file = stampFile(root, step);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify({ step: step.name, fingerprint: print })}\n`);
  fs.renameSync(temporary, file);
}

/** Forgets the step's stamp (before it runs: a build that fails halfway leaves it stale). */
function clearStamp(root, step) {
  fs.rmSync(stampFile(root, step), { force: true });
}

module.exports = { clearStamp, fingerprint, inputEntries, staleReason, stampDir, treeReader, writeStamp };
