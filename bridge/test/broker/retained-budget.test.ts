/** The retained-data budget: new topics stop at the caps; replacing and clearing always work. */
import { RetainedBudget } from '../../src/broker/retained-budget';

it('new retained messages stop at the count cap; clearing one makes room', () => {
  const budget = new RetainedBudget({ maxMessages: 2, maxBytes: 1000 });
  expect(budget.admit('a', 10)).toBe(true);
  expect(budget.admit('b', 10)).toBe(true);
  expect(budget.admit('c', 10)).toBe(false);
  expect(budget.admit('a', 20)).toBe(true); // a replacement adds no message
  expect(budget.admit('a', 0)).toBe(true); // clearing always works
  expect(budget.admit('c', 10)).toBe(true);
  expect(budget.count).toBe(2);
});

it('bytes: a message that would pass the cap is refused, a smaller replacement is not', () => {
  const budget = new RetainedBudget({ maxMessages: 100, maxBytes: 100 });
  expect(budget.admit('a', 59)).toBe(true); // 1 topic byte + 59
  expect(budget.admit('b', 49)).toBe(false);
  expect(budget.admit('a', 89)).toBe(true);
  expect(budget.admit('a', 100)).toBe(false);
  expect(budget.totalBytes).toBe(90);
  expect(budget.admit('a', 29)).toBe(true);
  expect(budget.admit('b', 49)).toBe(true);
  expect(budget.totalBytes).toBe(80);
});

it("a topic's bytes count too: long topics with tiny payloads fill the byte cap", () => {
  const budget = new RetainedBudget({ maxMessages: 10_000, maxBytes: 200_000 });
  const longTopic = (i: number): string => `t${i}/${'x'.repeat(64 * 1024 - 8)}`;
  expect(budget.admit(longTopic(1), 1)).toBe(true);
  expect(budget.admit(longTopic(2), 1)).toBe(true);
  expect(budget.admit(longTopic(3), 1)).toBe(true);
  expect(budget.admit(longTopic(4), 1)).toBe(false);
  expect(budget.count).toBe(3);
  expect(budget.totalBytes).toBe(3 * (Buffer.byteLength(longTopic(1)) + 1));
  // Bytes, not characters: "é" is two bytes in UTF-8.
  const small = new RetainedBudget({ maxMessages: 10, maxBytes: 5 });
  expect(small.admit('éé', 1)).toBe(true);
  expect(small.totalBytes).toBe(5);
  expect(small.admit('é', 1)).toBe(false);
});

it("forced messages (the bridge's own) are kept and counted", () => {
  const budget = new RetainedBudget({ maxMessages: 1, maxBytes: 10 });
  expect(budget.admit('own', 50, true)).toBe(true);
  expect(budget.totalBytes).toBe(53);
  expect(budget.admit('other', 1)).toBe(false);
  expect(budget.admit('own', 0)).toBe(true);
  expect(budget.admit('other', 1)).toBe(true);
  expect(budget.totalBytes).toBe(6);
});

it('clearing a topic that holds nothing changes nothing', () => {
  const budget = new RetainedBudget({ maxMessages: 1, maxBytes: 10 });
  expect(budget.admit('none', 0)).toBe(true);
  expect(budget.count).toBe(0);
});
