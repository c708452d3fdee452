/**
 * Where composed frames go. The compositor and scheduler see only this interface; the MQTT frame
 * publisher and the serial link's display output (`serial/serial-display.ts`) both implement it.
 * An output is a part: the controller starts it before the device core and stops it after.
 */
import type { Part } from '../part';

/** Why a frame was composed, for outputs that can make room for it. */
export interface FrameNews {
  /**
   * It shows a notification that came, changed or went: an output still sending an older frame
   * that did not may drop the rest of it for this one (serial/frame-sync.ts).
   */
  preempt: boolean;
}

export interface DisplayOutput extends Part {
  /** Called with each composed frame (64x32 RGB888) that differs from the previous one. */
  showFrame(frame: Uint8Array, news?: FrameNews): void;
  /** Power and brightness as the user set them; only outputs that dim in hardware have these. */
  setPower?(on: boolean): void;
  setBrightness?(brightness: number): void;
}
