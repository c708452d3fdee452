/**
 * Preloaded into a child process (`node --require pause-point.js`) by crash tests: freezes the
 * process just before a chosen file-system step, so a SIGKILL lands exactly there instead of
 * wherever a random delay happens to fall. Production code is untouched; only its calls into
 * `fs` are watched.
 *
 * MEGABIT_TEST_PAUSE_MATCH  a regular expression; only renames, removals and (non-recursive)
 *                           folder creations on a path it matches count
 * MEGABIT_TEST_PAUSE_ARM    counting starts at the first counted operation whose path matches this
 * MEGABIT_TEST_PAUSE_AT     the ordinal (1 = the arming operation) of the step to stop before
 *
 * Before that step it writes "pause-point <n> <op> <paths>" to stderr and blocks the thread for
 * good (the test kills it). Plain JavaScript: it runs before any transpiler would.
 */
'use strict';
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const match = process.env.MEGABIT_TEST_PAUSE_MATCH;
const arm = process.env.MEGABIT_TEST_PAUSE_ARM;
const at = Number(process.env.MEGABIT_TEST_PAUSE_AT);

if (isMainThread && match && arm && Number.isInteger(at) && at > 0) {
  const counted = new RegExp(match);
  const arming = new RegExp(arm);
  let step = 0;
  const before = (op, paths) => {
    const names = paths.filter((p) => typeof p === 'string');
    if (!names.some((p) => counted.test(p))) return;
    if (step === 0 && !names.some((p) => arming.test(p))) return;
    step++;
    if (step !== at) return;
    fs.writeSync(2, `pause-point ${step} ${op} ${names.join(' ')}\n`);
    // Blocks this thread until the process is killed: nothing after this step ever runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  };
  const wrap = (target, name, arity) => {
    const original = target[name];
    target[name] = function (...args) {
      // A recursive mkdir only makes sure a folder exists (atomic writes do it before each
      // file): no step of its own.
      const ensures = name.startsWith('mkdir') && typeof args[1] === 'object' && args[1]?.recursive;
      if (!ensures) before(name, args.slice(0, arity).map(String));
      return original.apply(this, args);
    };
  };
  for (const [name, arity] of [
    ['renameSync', 2],
    ['mkdirSync', 1],
    ['rmSync', 1],
  ])
    wrap(fs, name, arity);
  for (const [name, arity] of [
    ['rename', 2],
    ['mkdir', 1],
    ['rm', 1],
  ])
    wrap(fs.promises, name, arity);
}
