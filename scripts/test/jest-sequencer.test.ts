/**
 * The order jest starts the test files in (scripts/jest-sequencer.js): without jest's timing cache,
 * as on a fresh clone, the committed times put the long files first, however small the file; a
 * cached time wins over the committed one; a file that failed last time still goes first. The
 * sequencer is the real one, given contexts shaped as jest gives them and a cache written by its
 * own cacheResults in a scratch cache folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// CommonJS, as jest loads it from jest.config.js.
const LongestFirstSequencer = require('../jest-sequencer.js');
const COMMITTED: Record<string, number> = require('../jest-durations.json');

const ROOT = '/repo';

interface FakeTest {
  path: string;
  context: { config: { rootDir: string; cache: boolean; cacheDirectory: string; id: string; haste: object }; hasteFS: { getSize(path: string): number } };
}

let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'megabit-jest-sequencer-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Test files under ROOT with their sizes in bytes, sharing one context as a jest project does. */
function tests(sizes: Record<string, number>): FakeTest[] {
  const context = {
    config: { rootDir: ROOT, cache: true, cacheDirectory: cacheDir, id: 'megabit', haste: {} },
    hasteFS: { getSize: (path: string) => sizes[path.slice(ROOT.length + 1)] },
  };
  return Object.keys(sizes).map((rel) => ({ path: `${ROOT}/${rel}`, context }));
}

function order(list: FakeTest[]): string[] {
  return new LongestFirstSequencer({}).sort(list).map((test: FakeTest) => test.path.slice(ROOT.length + 1));
}

/** What jest records after a run: each file's outcome and runtime, through the sequencer itself. */
function cacheRun(list: FakeTest[], results: Record<string, { ms: number; failed?: boolean }>): void {
  const testResults = list.map((test) => {
    const r = results[test.path.slice(ROOT.length + 1)];
    return { testFilePath: test.path, numFailingTests: r.failed ? 1 : 0, skipped: false, perfStats: { runtime: r.ms } };
  });
  new LongestFirstSequencer({}).cacheResults(list, { testResults });
}

const ARM64 = 'bridge/test/arm/arm64.test.ts';
const ARMV7 = 'bridge/test/arm/armv7l.test.ts';
const FAULTS = 'bridge/test/reliability/app-faults.test.ts';
const NEW_BIG = 'bridge/test/display/new-big.test.ts';
const NEW_SMALL = 'bridge/test/display/new-small.test.ts';

it('has committed times only for test files that exist', () => {
  const repo = join(__dirname, '..', '..');
  expect(Object.keys(COMMITTED).filter((file) => !existsSync(join(repo, file)))).toEqual([]);
});

it('lists the ARM files as the longest, so that they start first', () => {
  const longest = Object.entries(COMMITTED).sort((a, b) => b[1] - a[1]);
  expect(longest.slice(0, 2).map(([file]) => file)).toEqual([ARM64, ARMV7]);
});

it('without a timing cache, starts the committed long files first, longest first, then the rest largest first', () => {
  const list = tests({ [NEW_SMALL]: 100, [FAULTS]: 15_000, [NEW_BIG]: 50_000, [ARMV7]: 490, [ARM64]: 489 });
  expect(order(list)).toEqual([ARM64, ARMV7, FAULTS, NEW_BIG, NEW_SMALL]);
});

it("takes jest's cached time over the committed one", () => {
  const list = tests({ [ARM64]: 489, [FAULTS]: 15_000, [NEW_SMALL]: 100 });
  cacheRun(list, { [ARM64]: { ms: 5_000 }, [FAULTS]: { ms: 60_000 }, [NEW_SMALL]: { ms: 90_000 } });
  expect(order(list)).toEqual([NEW_SMALL, FAULTS, ARM64]);
});

it('starts a file that failed last time before all others', () => {
  const list = tests({ [ARM64]: 489, [FAULTS]: 15_000, [NEW_SMALL]: 100 });
  cacheRun(list, { [ARM64]: { ms: 200_000 }, [FAULTS]: { ms: 60_000 }, [NEW_SMALL]: { ms: 1_000, failed: true } });
  expect(order(list)).toEqual([NEW_SMALL, ARM64, FAULTS]);
});
