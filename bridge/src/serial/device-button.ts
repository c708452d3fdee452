/**
 * The display's own button: its DOWN/UP edges, stamped with the device's uptime, become API
 * press, long press and double press actions. Only the main button is an API button.
 */
import type { ButtonEvent as ApiButtonEvent } from '@megabit/contract';
import { ButtonClassifier, type ButtonTimings } from '@megabit/contract';
import { errorMessage, type Logger } from '../util/logger';
import { ButtonEvent, type MessageOf } from './protocol';

const MAIN_BUTTON = 0;

export class DeviceButton {
  private readonly classifier: ButtonClassifier;

  constructor(timings: ButtonTimings, onButton: (event: ApiButtonEvent) => void, log: Logger) {
    this.classifier = new ButtonClassifier({
      ...timings,
      // Edge times are the device's u32 uptime, which wraps.
      elapsedMs: (from, to) => (to - from) >>> 0,
      onAction: (action) => {
        try {
          onButton({ button: 'main', action });
        } catch (e) {
          log.error(`handling the ${action} of the display's button failed: ${errorMessage(e)}`);
        }
      },
    });
  }

  edge(message: MessageOf<'BUTTON'>): void {
    if (message.button !== MAIN_BUTTON) return;
    if (message.event === ButtonEvent.DOWN) this.classifier.down(message.timeMs);
    else if (message.event === ButtonEvent.UP) this.classifier.up(message.timeMs);
  }

  /**
   * Forgets a hold in progress: after the link is lost its release may never come (it must not
   * turn into a long press), and after a device restart its clock started again.
   */
  reset(): void {
    this.classifier.reset();
  }
}
