/**
 * How often a watcher hears of a template's changes: the first result at once, then at most one
 * per interval (the latest of those in between), never the same result twice in a row. Jest's
 * fake clock stands in for time.
 */
import { ResultThrottle } from '../../src/templates/result-throttle';
import type { TemplateResult } from '../../src/templates/template-source';

const ok = (text: string): TemplateResult => ({ ok: true, text });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function throttle(): { delivered: TemplateResult[]; t: ResultThrottle } {
  const delivered: TemplateResult[] = [];
  return { delivered, t: new ResultThrottle(250, (r) => delivered.push(r)) };
}

it('hands over the first result on the next turn, never inside the call that produced it', () => {
  const { delivered, t } = throttle();
  t.push(ok('1'));
  expect(delivered).toEqual([]);
  jest.advanceTimersByTime(0);
  expect(delivered).toEqual([ok('1')]);
});

it('a burst of changes becomes one update per interval, carrying the latest value', () => {
  const { delivered, t } = throttle();
  t.push(ok('first'));
  jest.advanceTimersByTime(0);
  for (let i = 0; i < 100; i++) t.push(ok(`burst ${i}`));
  jest.advanceTimersByTime(249);
  expect(delivered).toEqual([ok('first')]);
  jest.advanceTimersByTime(1);
  expect(delivered).toEqual([ok('first'), ok('burst 99')]);
  for (let i = 0; i < 10; i++) {
    t.push(ok(`later ${i}`));
    jest.advanceTimersByTime(50);
  }
  jest.advanceTimersByTime(1000);
  // 10 changes over 500 ms: two more updates, the last one the final value.
  expect(delivered).toEqual([ok('first'), ok('burst 99'), ok('later 4'), ok('later 9')]);
});

it('drops a result equal to the one shown, and delivers nothing after stop', () => {
  const { delivered, t } = throttle();
  t.push({ ok: false, error: 'bad' });
  jest.advanceTimersByTime(0);
  t.push({ ok: false, error: 'bad' });
  jest.advanceTimersByTime(1000);
  t.push(ok('x'));
  t.stop();
  jest.advanceTimersByTime(1000);
  t.push(ok('y'));
  jest.advanceTimersByTime(1000);
  expect(delivered).toEqual([{ ok: false, error: 'bad' }]);
  expect(jest.getTimerCount()).toBe(0);
});
