'use strict';
/**
 * Runs one command with its output held back: the scripts that run several at once
 * (run-side-by-side.js, typecheck.js) print each command's output whole when it ends, so two
 * never interleave. Resolves, never rejects: `ok` is false for a failed start or a non-zero end.
 */
const { spawn } = require('node:child_process');

/** @returns {Promise<{ ok: boolean, output: string, status: number | string | null }>} */
function runCaptured(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', (e) => resolve({ ok: false, output: `${output}${e.message}\n`, status: null }));
    child.once('close', (code, signal) => resolve({ ok: code === 0, output, status: code ?? signal }));
  });
}

module.exports = { runCaptured };
