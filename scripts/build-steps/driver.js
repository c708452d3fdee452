/**
 * Runs build steps (./steps.js) in order: all of them (`npm run build`), or only those whose
 * inputs changed since they last succeeded (`npm start`). A step's fingerprint is taken before
 * it runs and stamped after it succeeds, so a file edited while the step runs is seen as changed
 * next time; a step that changes a later step's inputs (fonts → SDK → apps) makes that one run too.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { clearStamp, fingerprint, staleReason, treeReader, writeStamp } = require('./up-to-date');

/** Runs a step's command as npm runs a script: in its folder, through the shell, with the installed tools on PATH. */
function runCommand(root, step) {
  const cwd = path.join(root, step.cwd);
  const bins = [path.join(cwd, 'node_modules', '.bin'), path.join(root, 'node_modules', '.bin')];
  const env = { ...process.env, PATH: [...bins, process.env.PATH ?? ''].join(path.delimiter) };
  const result = spawnSync(step.command, { cwd, env, shell: true, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`build step ${step.name} failed (${step.command}: exit ${result.status ?? result.signal})`);
}

/**
 * Runs the steps; returns what each did. `onlyChanged` skips a step whose inputs and outputs are
 * as its stamp says. `run` runs one step (tests give their own); `log` gets one line per step run.
 */
function build({ root, steps, onlyChanged, run = runCommand, log = () => undefined }) {
  const report = [];
  let tree = treeReader(root);
  for (const step of steps) {
    const print = fingerprint(root, step, tree);
    const reason = onlyChanged ? staleReason(root, step, print) : 'full build';
    if (reason === undefined) {
      report.push({ name: step.name, ran: false });
      continue;
    }
    log(onlyChanged ? `build: ${step.name} (${reason})` : `build: ${step.name}`);
    clearStamp(root, step);
    run(root, step);
    // The step wrote files: what was read of the tree before may be stale now.
    tree = treeReader(root);
    writeStamp(root, step, print);
    report.push({ name: step.name, ran: true, reason });
  }
  return report;
}

module.exports = { build, runCommand };
