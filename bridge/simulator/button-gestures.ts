/**
 * The simulated hardware button: feeds its presses and releases to the bridge's own button
 * classifier, with the timings of the bridge that served the page (`button` in
 * /simulator-config.json), so a gesture means the same here as on the display's button.
 */
import { BUTTON_TIMING_LIMITS, ButtonClassifier, DEFAULT_BUTTON_TIMINGS, type ButtonAction, type ButtonTimings } from '@megabit/contract';

/** The served timings, or the bridge's defaults for any that are missing or not sensible. */
export function buttonTimings(served: unknown): ButtonTimings {
  const button = typeof served === 'object' && served !== null ? (served as { button?: unknown }).button : undefined;
  const given = typeof button === 'object' && button !== null ? (button as Record<string, unknown>) : {};
  const pick = (value: unknown, timing: keyof ButtonTimings): number => {
    const { min, max } = BUTTON_TIMING_LIMITS[timing];
    return typeof value === 'number' && value >= min && value <= max ? value : DEFAULT_BUTTON_TIMINGS[timing];
  };
  return { longPressMs: pick(given.long_press_ms, 'longPressMs'), doublePressMs: pick(given.double_press_ms, 'doublePressMs') };
}

export class ButtonGestures {
  private readonly classifier: ButtonClassifier;

  constructor(
    emit: (action: ButtonAction) => void,
    timings: ButtonTimings,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.classifier = new ButtonClassifier({ ...timings, onAction: emit });
  }

  down(): void {
    this.classifier.down(this.now());
  }

  up(): void {
    this.classifier.up(this.now());
  }

  /** The pointer was taken away (pointercancel, window lost focus): forget the gesture. */
  cancel(): void {
    this.classifier.reset();
  }
}
