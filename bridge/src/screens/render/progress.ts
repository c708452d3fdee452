/** The progress bar: the filled share in its colour, the rest of the bar in its background. */
import type { Rect } from './layout';
import type { PreparedScreen } from './prepare';
import { fillRect } from './shapes';

export function drawProgress(frame: Uint8Array, progress: NonNullable<PreparedScreen['progress']>, area: Rect): void {
  const filled = Math.round(progress.fraction * area.width);
  fillRect(frame, area.x + filled, area.y, area.width - filled, area.height, progress.background);
  fillRect(frame, area.x, area.y, filled, area.height, progress.color);
}
