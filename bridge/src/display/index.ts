/**
 * The display pipeline: everything between an app's frame and the display outputs.
 *
 * The scheduler owns one `Compositor`: it calls `setAppFrame` on each app tick, `notify`/`dismiss`
 * for notifications (a press first dismisses the one showing), `setPower`/`setBrightness` for
 * `P/cmd/display`, and reads `fps` and `notification` for state.
 */
export type { DisplayOutput, FrameNews } from './output';
export { Compositor, type CompositorOptions } from './compositor';
export { FrameCap } from './frame-cap';
export {
  NotificationQueue,
  type NotificationEvent,
  type NotificationListener,
  type NotificationQueueOptions,
  type ShownNotification,
} from './notification-queue';
export type { Notification } from './notification';
export { systemClock, type Clock, type ClockTimer } from './clock';
export {
  drawText,
  measureText,
  lineHeight,
  glyphFor,
  hasGlyph,
  LINE_HEIGHT,
  LETTER_SPACING,
  type FontName,
  type Glyph,
  type TextPaint,
} from './font/font';
export { blankFrame, isFrame, assertFrame, parseHexColor, type Rgb } from './frame';
export { changedRects, framesEqual, type DiffOptions, type Rect } from './diff';
export { encodeFramePng, MAX_PNG_SCALE } from './png';
