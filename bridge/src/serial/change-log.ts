/**
 * Logs a line only when it differs from the previous one: a display that stays away is
 * reported once, not once per retry, and a flapping one once per change of state.
 */
import type { Logger } from '../util/logger';

export type ChangeLevel = 'info' | 'warn' | 'error';

export class ChangeLog {
  private last?: string;

  constructor(private readonly log: Logger) {}

  note(level: ChangeLevel, message: string): void {
    if (message === this.last) return;
    this.last = message;
    this.log[level](message);
  }
}
