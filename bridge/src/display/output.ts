/**
 * Where composed frames go. The compositor and scheduler see only this interface; the MQTT frame
 * publisher and the serial link to the coprocessor both implement it.
 */
export interface DisplayOutput {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Called with each composed frame (64x32 RGB888) that differs from the previous one. */
  showFrame(frame: Uint8Array): void;
  /** Power and brightness as the user set them; outputs that dim in hardware use these. */
  setPower(on: boolean): void;
  setBrightness(brightness: number): void;
}
