/** The one button classifier: press after the double-press time, double_press, long_press. */
import type { ButtonAction } from '@megabit/contract';
import { ButtonClassifier } from '../../src/device/button-classifier';

describe('ButtonClassifier', () => {
  let actions: ButtonAction[];
  let classifier: ButtonClassifier;

  beforeEach(() => {
    jest.useFakeTimers();
    actions = [];
    classifier = new ButtonClassifier({ doublePressMs: 400, onAction: (a) => actions.push(a) });
  });

  afterEach(() => {
    classifier.reset();
    jest.useRealTimers();
  });

  it('reports a click as press only once the double-press time has passed', () => {
    classifier.click(1000);
    jest.advanceTimersByTime(399);
    expect(actions).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(actions).toEqual(['press']);
  });

  it('makes two clicks within the double-press time one double_press', () => {
    classifier.click(1000);
    jest.advanceTimersByTime(250);
    classifier.click(1250);
    jest.advanceTimersByTime(1000);
    expect(actions).toEqual(['double_press']);
  });

  it('judges by the source clock: clicks delivered together but 600 ms apart are two presses', () => {
    classifier.click(1000);
    classifier.click(1600);
    expect(actions).toEqual(['press']);
    jest.advanceTimersByTime(400);
    expect(actions).toEqual(['press', 'press']);
  });

  it('counts the double-press time inclusively', () => {
    classifier.click(0);
    classifier.click(400);
    expect(actions).toEqual(['double_press']);
  });

  it('reports long_press at once, after a held-back click', () => {
    classifier.longPress();
    expect(actions).toEqual(['long_press']);
    classifier.click(5000);
    classifier.longPress();
    expect(actions).toEqual(['long_press', 'press', 'long_press']);
    jest.advanceTimersByTime(1000);
    expect(actions).toHaveLength(3);
  });

  it('three quick clicks are a double_press and then a press', () => {
    classifier.click(0);
    classifier.click(100);
    classifier.click(200);
    jest.advanceTimersByTime(400);
    expect(actions).toEqual(['double_press', 'press']);
  });

  it('forgets a held-back click on reset', () => {
    classifier.click(0);
    classifier.reset();
    jest.advanceTimersByTime(1000);
    expect(actions).toEqual([]);
  });
});
