/** util/v8-gc.ts: which collection gives the heap's pages back on each V8 (its effect on memory is the bench's, section 4 and 10). */
import { type GcFunction, gcTakesOptions, pageReturningCollection } from '../../src/util/v8-gc';

function recordingGc(): { gc: GcFunction; calls: unknown[][] } {
  const calls: unknown[][] = [];
  return { gc: (...args: unknown[]) => void calls.push(args), calls };
}

it("V8 12 and later (Node 22, 24) take gc's options; V8 11 (Node 20) does not", () => {
  expect(gcTakesOptions('11.3.244.8-node.33')).toBe(false);
  expect(gcTakesOptions('12.4.254.21-node.33')).toBe(true);
  expect(gcTakesOptions('13.6.233.17-node.40')).toBe(true);
  expect(gcTakesOptions('14.1.0.0')).toBe(true);
});

it.each([
  ['12.4.254.21-node.33', [[{ type: 'major', execution: 'sync', flavor: 'last-resort' }]]],
  ['13.6.233.17-node.40', [[{ type: 'major', execution: 'sync', flavor: 'last-resort' }]]],
  // An argument would make V8 11 collect the young generation only.
  ['11.3.244.8-node.33', [[]]],
])('on V8 %s the collection that returns pages is called as %j', (version, expected) => {
  const { gc, calls } = recordingGc();
  const collect = pageReturningCollection(gc, version);
  expect(calls).toEqual([]);
  collect();
  expect(calls).toEqual(expected);
});
