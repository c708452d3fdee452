/** The retained-data budget: new topics stop at the caps; replacing and clearing always work. */
import { RetainedBudget } from '../../src/broker/retained-budget';

test('new retained messages stop at the count cap; clearing one makes room', () => {
  const budget = new RetainedBudget({ maxMessages: 2, maxBytes: 1000 });
  expect(budget.admit('a', 10)).toBe(true);
  expect(budget.admit('b', 10)).toBe(true);
  expect(budget.admit('c', 10)).toBe(false);
  expect(budget.admit('a', 20)).toBe(true); // a replacement adds no message
  expect(budget.admit('a', 0)).toBe(true); // clearing always works
  expect(budget.admit('c', 10)).toBe(true);
  expect(budget.count).toBe(2);
});

test('bytes: a message that would pass the cap is refused, a smaller replacement is not', () => {
  const budget = new RetainedBudget({ maxMessages: 100, maxBytes: 100 });
  expect(budget.admit('a', 60)).toBe(true);
  expect(budget.admit('b', 50)).toBe(false);
  expect(budget.admit('a', 90)).toBe(true);
  expect(budget.admit('a', 101)).toBe(false);
  expect(budget.totalBytes).toBe(90);
  expect(budget.admit('a', 30)).toBe(true);
  expect(budget.admit('b', 50)).toBe(true);
  expect(budget.totalBytes).toBe(80);
});

test('forced messages (the bridge\'s own) are kept and counted', () => {
  const budget = new RetainedBudget({ maxMessages: 1, maxBytes: 10 });
  expect(budget.admit('own', 50, true)).toBe(true);
  expect(budget.admit('other', 1)).toBe(false);
  expect(budget.admit('own', 0)).toBe(true);
  expect(budget.admit('other', 1)).toBe(true);
  expect(budget.totalBytes).toBe(1);
});

test('clearing a topic that holds nothing changes nothing', () => {
  const budget = new RetainedBudget({ maxMessages: 1, maxBytes: 10 });
  expect(budget.admit('none', 0)).toBe(true);
  expect(budget.count).toBe(0);
});
