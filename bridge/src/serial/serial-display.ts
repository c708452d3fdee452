/**
 * The display coprocessor as a DisplayOutput: the bridge's frames, power, brightness and status
 * LEDs go into the frame sync, which sends what is due whenever the link has an open session
 * and room. Everything about the port and the session is the link's (serial-link.ts).
 */
import type { DisplayLeds, DisplayLinkHostCounters } from '@megabit/contract';
import type { DisplayOutput, FrameNews } from '../display/output';
import { FrameSync, type MessageSink } from './frame-sync';
import type { LevelClasses, MessageOf } from './protocol';
import { ledBits, statusLeds } from './status-leds';

/** What the display output needs of the link under it. */
export interface FrameLink {
  /** The link runs while its display output does: the device core starts and stops outputs. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The session while one is open with a device that answered; undefined otherwise. */
  readonly openSession: MessageSink | undefined;
  /** How long a packet may be now (the link shrinks it on a noisy line). */
  readonly packetLimit: number;
  /** The device acknowledged a COMMIT: the link asks what it shows. */
  frameCommitted(): void;
}

export class SerialDisplay implements DisplayOutput {
  readonly name = 'serial';
  private readonly frames = new FrameSync(() => this.link.frameCommitted());
  private brokerConnected = false;

  constructor(private readonly link: FrameLink) {
    this.frames.setLeds(ledBits(statusLeds(this.brokerConnected)));
  }

  start(): Promise<void> {
    return this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  showFrame(frame: Uint8Array, news?: FrameNews): void {
    this.frames.show(frame, news?.preempt ?? false);
    this.pump();
  }

  setPower(on: boolean): void {
    this.frames.setPower(on);
    this.pump();
  }

  setBrightness(brightness: number): void {
    this.frames.setBrightness(brightness);
    this.pump();
  }

  /** The RGB status LED shows the broker connection; false when that is already shown. */
  setBrokerConnected(connected: boolean): boolean {
    if (connected === this.brokerConnected) return false;
    this.brokerConnected = connected;
    this.frames.setLeds(ledBits(statusLeds(connected)));
    this.pump();
    return true;
  }

  /** The LEDs while a session is open. */
  get leds(): DisplayLeds {
    return statusLeds(this.brokerConnected);
  }

  /** A new session: the device's buffers are unknown, so everything goes out again. */
  sessionOpened(classes?: LevelClasses): void {
    this.frames.restart(classes);
    this.pump();
  }

  /** Sends what is due, as far as the link takes it now. */
  pump(): void {
    const session = this.link.openSession;
    if (session) this.frames.pump(session, this.link.packetLimit);
  }

  /** True when the device's STATUS shows the frame last committed. */
  matches(status: MessageOf<'STATUS'>): boolean {
    return this.frames.matches(status);
  }

  get committedId(): number | null {
    return this.frames.committed?.id ?? null;
  }

  /** Frames whose unsent packets a notification's frame took off the link (also in frames_skipped). */
  get framesPreempted(): number {
    return this.frames.framesPreempted;
  }

  get counters(): Pick<DisplayLinkHostCounters, 'frames_sent' | 'frames_skipped' | 'frames_preempted'> {
    return { frames_sent: this.frames.framesSent, frames_skipped: this.frames.framesSkipped, frames_preempted: this.frames.framesPreempted };
  }
}
