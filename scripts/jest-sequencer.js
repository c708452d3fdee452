// The order jest starts the test files in: longest first, so that no long file starts late and
// runs on alone at the end while the other workers idle. Jest's own order does this only from
// its timing cache (os.tmpdir()/jest_*), which a fresh clone in CI does not have: it then starts
// the largest files first, and the two ARM files, the longest but a few lines each, last.
// Here a file's time is jest's cached one, else the committed one in jest-durations.json
// (seconds, from an idle run), else unknown. Files that failed last time still go first (jest's
// rule); files with a time go before those without, longest first; the rest largest first.
'use strict';
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const COMMITTED_SECONDS = require('./jest-durations.json');

class LongestFirstSequencer extends Sequencer {
  /** Milliseconds: jest's cached time, else the committed one; undefined when neither has it. */
  expectedMs(test) {
    const cached = this.time(test);
    if (cached !== undefined) return cached;
    const committed = COMMITTED_SECONDS[relative(test.context.config.rootDir, test.path).split('\\').join('/')];
    return committed === undefined ? undefined : committed * 1000;
  }

  sort(tests) {
    // As jest's own sort does: its cached time, for running a few short files in band and for
    // its estimate of the run's time.
    for (const test of tests) test.duration = this.time(test);
    const keys = new Map(
      tests.map((test) => [test, { failed: this.hasFailed(test), ms: this.expectedMs(test), size: test.context.hasteFS.getSize(test.path) ?? 0 }]),
    );
    return [...tests].sort((testA, testB) => {
      const a = keys.get(testA);
      const b = keys.get(testB);
      if (a.failed !== b.failed) return a.failed ? -1 : 1;
      if ((a.ms === undefined) !== (b.ms === undefined)) return a.ms === undefined ? 1 : -1;
      if (a.ms !== undefined && a.ms !== b.ms) return b.ms - a.ms;
      return b.size - a.size;
    });
  }
}

module.exports = LongestFirstSequencer;
