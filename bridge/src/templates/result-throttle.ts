/**
 * Hands a watcher its template results at a bounded rate: a template whose value changes many
 * times a second (a power sensor, a busy topic) would otherwise redraw the screen on each one.
 * The first result goes out at once (on a timer, never inside the `watch` call); later ones at
 * most once per interval, and only the latest of those that arrived in between. A result equal
 * to the one last handed over is dropped.
 */
import type { TemplateResult } from './template-source';

export class ResultThrottle {
  private last?: TemplateResult;
  private pending?: TemplateResult;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (result: TemplateResult) => void,
  ) {}

  push(result: TemplateResult): void {
    if (this.stopped) return;
    this.pending = result;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const result = this.pending;
    this.pending = undefined;
    if (!result || this.stopped || sameResult(result, this.last)) return;
    this.last = result;
    this.lastSentAt = Date.now();
    this.deliver(result);
  }
}

function sameResult(a: TemplateResult, b: TemplateResult | undefined): boolean {
  if (!b || a.ok !== b.ok) return false;
  return a.ok ? a.text === (b as typeof a).text : a.error === (b as typeof a).error;
}
