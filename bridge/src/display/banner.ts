/**
 * How a notification looks over the app: a dark band across the middle of the panel, edged above
 * and below by a dim line in the notification's colour, with the text vertically centred in it.
 * The app stays visible above and below the band.
 */
import { DISPLAY_WIDTH } from '@megabit/contract';
import { drawText, LINE_HEIGHT } from './font/font';
import { BLACK, fillRect, scaleColor } from './frame';
import { textX, type Notification } from './notification';

export const BANNER_TOP = 11;
/**
 * Edge line, one blank row, the line of `small` text (accents in its rows above the capitals,
 * descenders in those below the baseline), edge line: rows 11-26.
 */
export const BANNER_HEIGHT = LINE_HEIGHT + 3;
export const BANNER_TEXT_TOP = BANNER_TOP + 2;
const EDGE_BRIGHTNESS = 0.35;

export function drawBanner(frame: Uint8Array, notification: Notification, elapsedMs: number, speedPxPerS: number): void {
  const edge = scaleColor(notification.color, EDGE_BRIGHTNESS);
  fillRect(frame, 0, BANNER_TOP, DISPLAY_WIDTH, BANNER_HEIGHT, BLACK);
  fillRect(frame, 0, BANNER_TOP, DISPLAY_WIDTH, 1, edge);
  fillRect(frame, 0, BANNER_TOP + BANNER_HEIGHT - 1, DISPLAY_WIDTH, 1, edge);
  drawText(frame, notification.text, textX(notification, elapsedMs, speedPxPerS), BANNER_TEXT_TOP, notification.color);
}
