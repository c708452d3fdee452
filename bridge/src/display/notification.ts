/**
 * A notification as the display pipeline keeps it: the contract's request checked and resolved
 * (defaults applied, text measured), plus how long it shows and where its text is at a given time.
 *
 * Text that fits is centred and shows for its duration. Longer text scrolls right to left, one
 * pass being from just off the right edge until its last column leaves the left edge. It shows
 * for whole passes only (it never vanishes mid-word): at least `repeat` passes and at least its
 * duration, rounded up to the end of a pass. A `hold` notification shows until dismissed.
 */
import { DISPLAY_WIDTH, PRIORITIES, type NotifyRequest, type Priority, type ScreenContent } from '@megabit/contract';
import { measureText } from './font/font';
import { parseHexColor, WHITE, type Rgb } from './frame';

export interface Notification {
  readonly id: string;
  /** The requested text with each run of whitespace (newlines included) made one space. */
  readonly text: string;
  readonly color: Rgb;
  readonly priority: Priority;
  readonly hold: boolean;
  readonly repeat: number;
  /** The requested duration, or the configured default. */
  readonly durationMs: number;
  readonly textWidth: number;
  /**
   * A rich notification's content (icon, progress, chart, ...), drawn over the whole panel by the
   * screen renderer for `durationMs` (or until dismissed with `hold`); absent for plain text.
   */
  readonly content?: ScreenContent;
}

export interface NotificationTiming {
  defaultDurationMs: number;
  scrollSpeedPxPerS: number;
}

/** Columns kept free on either side of text that fits without scrolling. */
export const TEXT_MARGIN = 1;

export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}

function requireIntInRange(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`notification ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks a request (even one that skipped the contract's parser) and resolves its defaults. */
export function resolveNotification(request: NotifyRequest, fallbackId: string, timing: NotificationTiming): Notification {
  if (typeof request !== 'object' || request === null) throw new TypeError('notification request must be an object');
  const id = request.id ?? fallbackId;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw new RangeError(`notification id must be 1-64 characters, got ${JSON.stringify(id)}`);
  if (typeof request.text !== 'string') throw new TypeError('notification text must be a string');
  const text = request.text.replace(/\s+/g, ' ').trim();
  const content = request.content;
  if (content !== undefined && (typeof content !== 'object' || content === null)) throw new TypeError('notification content must be an object');
  if (text.length === 0 && !content) throw new RangeError('notification text is empty');
  const priority = request.priority ?? 'normal';
  if (!PRIORITIES.includes(priority)) throw new RangeError(`notification priority must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
  const color = request.color === undefined ? WHITE : parseHexColor(String(request.color));
  if (!color) throw new RangeError(`notification color must look like "#ff8800", got ${JSON.stringify(request.color)}`);
  if (request.hold !== undefined && typeof request.hold !== 'boolean') throw new TypeError('notification hold must be true or false');
  return {
    id,
    text,
    color,
    priority,
    hold: request.hold ?? false,
    repeat: request.repeat === undefined ? 1 : requireIntInRange(request.repeat, 'repeat', 1, 100),
    durationMs: request.duration_ms === undefined ? timing.defaultDurationMs : requireIntInRange(request.duration_ms, 'duration_ms', 1, 86_400_000),
    textWidth: measureText(text),
    ...(content ? { content } : {}),
  };
}

/** Whether the banner's text scrolls; a rich notification's text moves as the renderer decides. */
export function scrolls(notification: Notification): boolean {
  return !notification.content && notification.textWidth > DISPLAY_WIDTH - 2 * TEXT_MARGIN;
}

/** One scroll pass in ms: the text travels the panel width plus its own width. */
export function scrollPassMs(notification: Notification, speedPxPerS: number): number {
  return ((DISPLAY_WIDTH + notification.textWidth) * 1000) / speedPxPerS;
}

/** How long the notification stays up, in whole ms; Infinity for `hold`. */
export function showTimeMs(notification: Notification, speedPxPerS: number): number {
  if (notification.hold) return Infinity;
  if (!scrolls(notification)) return notification.durationMs;
  const pass = scrollPassMs(notification, speedPxPerS);
  return Math.ceil(Math.max(notification.repeat, Math.ceil(notification.durationMs / pass)) * pass);
}

/** The x of the text's first column `elapsedMs` after the notification appeared. */
export function textX(notification: Notification, elapsedMs: number, speedPxPerS: number): number {
  if (!scrolls(notification)) return Math.floor((DISPLAY_WIDTH - notification.textWidth) / 2);
  const travelled = Math.floor((Math.max(0, elapsedMs) * speedPxPerS) / 1000);
  return DISPLAY_WIDTH - (travelled % (DISPLAY_WIDTH + notification.textWidth));
}
