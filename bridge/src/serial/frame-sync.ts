/**
 * Keeps the device's picture equal to the bridge's: sends each frame as the changes against
 * what the device's draw buffer will hold, then COMMIT with a new frame id; power,
 * brightness and the status LEDs when they change. Latest wins: a frame waits in a single slot until the link
 * has sent everything before it, and a newer frame replaces it there.
 */
import { FRAME_BYTES } from '@megabit/contract';
import { frameUpdate } from './frame-encoder';
import { crc32, type LevelClasses, type Message, type MessageOf, quantise } from './protocol';

/** Where sequenced messages go: the open link session. */
export interface MessageSink {
  send(message: Message, onAcked?: () => void): boolean;
  /** Messages accepted but not sent once yet. */
  readonly queued: number;
}

/**
 * What a packet costs besides its pixels: header, fields, CRC, framing and its share of the
 * acknowledgements. Decides between a diff of many small rectangles and the whole frame.
 */
const PACKET_COST = 16;
/** A diff with more packets than this goes out as the whole frame (fewer, fuller packets). */
const MAX_FRAME_PACKETS = 160;
/** The host sets every LED: the link LED and the RGB LED (docs/serial-protocol.md §5). */
const LED_MASK = 0x0f;

function cost(rects: ReadonlyArray<{ pixels: Uint8Array }>): number {
  return rects.reduce((sum, r) => sum + r.pixels.length + PACKET_COST, 0);
}

export interface CommittedFrame {
  id: number;
  crc: number;
}

export class FrameSync {
  private latest?: Uint8Array;
  /** The last frame the bridge was given: what a new session must show again. */
  private shown?: Uint8Array;
  /** The device's draw buffer once everything queued is processed; undefined: unknown. */
  private drawn?: Uint8Array;
  private lastCommit?: CommittedFrame;
  private nextFrameId = 1;
  private power = true;
  private brightness = 255;
  private sentPower?: boolean;
  private sentBrightness?: number;
  /** SET_LEDS state bits (docs/serial-protocol.md §5), all LEDs it drives. */
  private leds = 0;
  private sentLeds?: number;
  private recommitWanted = false;
  /** The device's level classes when it decodes LEVEL_RICE (protocol 1.2): frames go out quantised. */
  private classes?: LevelClasses;
  framesSent = 0;
  framesSkipped = 0;

  constructor(private readonly onCommitAcked: () => void) {}

  get committed(): CommittedFrame | undefined {
    return this.lastCommit;
  }

  show(frame: Uint8Array): void {
    if (frame.length !== FRAME_BYTES) throw new RangeError(`a frame is ${FRAME_BYTES} bytes, got ${frame.length}`);
    if (this.latest) this.framesSkipped++;
    this.latest = Uint8Array.from(frame);
    this.shown = this.latest;
  }

  setPower(on: boolean): void {
    this.power = on;
  }

  setBrightness(level: number): void {
    if (!Number.isInteger(level) || level < 0 || level > 255) throw new RangeError(`brightness must be an integer from 0 to 255, got ${String(level)}`);
    if (level === this.brightness) return;
    this.brightness = level;
    // A device may apply a new brightness only at the next COMMIT (docs/serial-protocol.md §5).
    this.recommitWanted = true;
  }

  setLeds(bits: number): void {
    this.leds = bits;
  }

  /**
   * A new session: the device's buffers are unknown, so everything is sent again in full.
   * `classes`: the level classes of a device that decodes LEVEL_RICE, none for an older one.
   */
  restart(classes?: LevelClasses): void {
    this.classes = classes;
    this.drawn = undefined;
    this.sentPower = undefined;
    this.sentBrightness = undefined;
    this.sentLeds = undefined;
    this.recommitWanted = false;
    if (!this.latest && this.shown) this.latest = this.shown;
  }

  /** True when `status` shows the frame last committed (or, before any, the blank boot frame). */
  matches(status: MessageOf<'STATUS'>): boolean {
    const c = this.lastCommit;
    return c ? status.frameId === c.id && status.frameCrc === c.crc : status.frameId === 0;
  }

  /** Sends what is due, as far as the link takes it now. */
  pump(sink: MessageSink, maxPacket: number): void {
    if (this.sentPower !== this.power && sink.send({ name: 'SET_POWER', seq: 0, on: this.power ? 1 : 0 })) {
      this.sentPower = this.power;
    }
    if (this.sentBrightness !== this.brightness && sink.send({ name: 'SET_BRIGHTNESS', seq: 0, level: this.brightness })) {
      this.sentBrightness = this.brightness;
    }
    if (this.sentLeds !== this.leds && sink.send({ name: 'SET_LEDS', seq: 0, mask: LED_MASK, state: this.leds })) {
      this.sentLeds = this.leds;
    }
    if (sink.queued > 0) return;
    const frame = this.latest;
    if (frame) {
      this.latest = undefined;
      this.sendFrame(sink, frame, maxPacket);
    } else if (this.recommitWanted && this.lastCommit && this.drawn) {
      this.commit(sink, this.lastCommit.crc);
    }
  }

  private sendFrame(sink: MessageSink, frame: Uint8Array, maxPacket: number): void {
    // What the device will hold: the frame itself, or one value per shown level (lossless on
    // the panel), which is also what the frame CRC is checked against.
    const held = this.classes ? quantise(frame, this.classes) : frame;
    let rects = frameUpdate(this.drawn, held, maxPacket, this.classes);
    // A diff that already covers every pixel (an animation like the plasma) is the whole frame.
    const coversAll = rects.reduce((sum, r) => sum + r.w * r.h, 0) * 3 === FRAME_BYTES;
    if (this.drawn && !coversAll && (rects.length > MAX_FRAME_PACKETS || cost(rects) > FRAME_BYTES / 2)) {
      const whole = frameUpdate(undefined, held, maxPacket, this.classes);
      if (rects.length > MAX_FRAME_PACKETS || cost(whole) < cost(rects)) rects = whole;
    }
    for (const rect of rects) {
      if (!sink.send(rect)) {
        // The session went away or is choked: the next frame goes out whole.
        this.drawn = undefined;
        this.latest ??= frame;
        return;
      }
    }
    this.drawn = held;
    this.framesSent++;
    this.commit(sink, crc32(held));
  }

  private commit(sink: MessageSink, crc: number): void {
    const id = this.nextFrameId;
    this.nextFrameId = this.nextFrameId >= 0xffffffff ? 1 : this.nextFrameId + 1;
    if (!sink.send({ name: 'COMMIT', seq: 0, frameId: id }, () => this.onCommitAcked())) {
      this.drawn = undefined;
      this.latest ??= this.shown;
      return;
    }
    this.recommitWanted = false;
    this.lastCommit = { id, crc };
  }
}
