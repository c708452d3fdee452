/**
 * Keeps the device's picture equal to the bridge's: sends each frame as the changes against
 * what the device's draw buffer will hold, then COMMIT with a new frame id; power,
 * brightness and the status LEDs when they change. Latest wins: a frame waits in a single slot until the link
 * has sent everything before it, and a newer frame replaces it there.
 *
 * A notification preempts: when a frame showing one comes while an app frame's packets still
 * wait in the link's queue, those packets are taken back (whole packets only, never one on the
 * wire) with that frame's COMMIT, so the device never commits the half-written frame; the new
 * frame is diffed against what the packets already sent leave in the draw buffer. A preempting
 * frame is taken back for a newer one only while none of its packets is on the wire (it waited
 * behind a full window): once one is, it goes out whole, so a stream of notifications cannot
 * starve the link of COMMITs, and none waits behind a frame that a newer one made stale.
 */
import { DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import { frameUpdate } from './frame-encoder';
import { crc32, type LevelClasses, type Message, type MessageOf, quantise } from './protocol';

type WriteRect = MessageOf<'WRITE_RECT'>;

/** Where sequenced messages go: the open link session. */
export interface MessageSink {
  /** `tag`: what `withdraw` takes back by. */
  send(message: Message, onAcked?: () => void, tag?: object): boolean;
  /** Messages accepted but not sent once yet. */
  readonly queued: number;
  /** Takes back the queued messages sent with `tag` not on the wire yet; returns how many. Without it nothing is preempted. */
  withdraw?(tag: object): number;
  /** How many messages sent with `tag` are queued, not on the wire yet. Without it a preempting frame is never taken back. */
  unsent?(tag: object): number;
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

/** The frame queued last, while its packets may still wait in the link's queue. */
interface FrameOnTheWay {
  tag: object;
  frame: Uint8Array;
  rects: WriteRect[];
  /** The draw buffer before it; undefined: unknown. */
  before: Uint8Array | undefined;
  /** The commit before its own: what the device still shows if it is taken back. */
  commitBefore: CommittedFrame | undefined;
  preempting: boolean;
}

/** `before` with the rectangles the packets sent wrote, from `frame`: what the device's draw buffer holds. */
function withRects(before: Uint8Array, frame: Uint8Array, rects: WriteRect[]): Uint8Array {
  const out = Uint8Array.from(before);
  for (const r of rects) {
    for (let y = r.y; y < r.y + r.h; y++) {
      const start = (y * DISPLAY_WIDTH + r.x) * 3;
      out.set(frame.subarray(start, start + r.w * 3), start);
    }
  }
  return out;
}

export class FrameSync {
  private latest?: Uint8Array;
  /** The waiting frame shows notification news (so does any frame that replaced such a one). */
  private latestPreempts = false;
  private onTheWay?: FrameOnTheWay;
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
  /** The device's level classes when it decodes LEVEL_RICE (protocol 1.3): frames go out quantised. */
  private classes?: LevelClasses;
  framesSent = 0;
  framesSkipped = 0;
  /** Frames taken back off the link for a notification's frame (counted in framesSkipped too). */
  framesPreempted = 0;

  constructor(private readonly onCommitAcked: () => void) {}

  get committed(): CommittedFrame | undefined {
    return this.lastCommit;
  }

  /** `preempt`: it shows notification news and may take an app frame's unsent packets back. */
  show(frame: Uint8Array, preempt = false): void {
    if (frame.length !== FRAME_BYTES) throw new RangeError(`a frame is ${FRAME_BYTES} bytes, got ${frame.length}`);
    // A frame replacing a waiting one shows its news too (the compositor draws the whole picture).
    this.latestPreempts = preempt || (this.latest !== undefined && this.latestPreempts);
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
    this.onTheWay = undefined;
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
    const frame = this.latest;
    const preempted = frame !== undefined && this.latestPreempts && this.takeBack(sink);
    if (sink.queued > 0 && !preempted) return;
    if (frame) {
      const preempting = this.latestPreempts;
      this.latest = undefined;
      this.latestPreempts = false;
      this.sendFrame(sink, frame, maxPacket, preempting);
    } else if (this.recommitWanted && this.lastCommit && this.drawn) {
      // The queue is empty here: the last frame is all on the wire, nothing of it to take back.
      this.onTheWay = undefined;
      this.commit(sink, this.lastCommit.crc);
    }
  }

  /**
   * Takes the frame on the way off the link when its packets still wait there and it did not
   * preempt itself, or did but none of it is on the wire yet; true when it did.
   */
  private takeBack(sink: MessageSink): boolean {
    const onTheWay = this.onTheWay;
    if (!onTheWay || !sink.withdraw) return false;
    // Its rectangles and its COMMIT, all still queued: nothing of it reached the device.
    if (onTheWay.preempting && sink.unsent?.(onTheWay.tag) !== onTheWay.rects.length + 1) return false;
    this.onTheWay = undefined;
    // The COMMIT was queued last, so anything taken back includes it: the device never commits this frame.
    const removed = sink.withdraw(onTheWay.tag);
    if (removed === 0) return false;
    const sent = onTheWay.rects.slice(0, onTheWay.rects.length + 1 - removed);
    this.drawn = onTheWay.before && withRects(onTheWay.before, onTheWay.frame, sent);
    this.lastCommit = onTheWay.commitBefore;
    this.framesSent--;
    this.framesSkipped++;
    this.framesPreempted++;
    return true;
  }

  private sendFrame(sink: MessageSink, frame: Uint8Array, maxPacket: number, preempting: boolean): void {
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
    const tag = {};
    this.onTheWay = undefined;
    for (const rect of rects) {
      if (!sink.send(rect, undefined, tag)) {
        // The session went away or is choked: the next frame goes out whole.
        this.drawn = undefined;
        this.latest ??= frame;
        return;
      }
    }
    const before = this.drawn;
    const commitBefore = this.lastCommit;
    this.drawn = held;
    this.framesSent++;
    // `held`, not `frame`: a frame taken back leaves the quantised pixels of its sent packets.
    if (this.commit(sink, crc32(held), tag)) this.onTheWay = { tag, frame: held, rects, before, commitBefore, preempting };
  }

  private commit(sink: MessageSink, crc: number, tag?: object): boolean {
    const id = this.nextFrameId;
    this.nextFrameId = this.nextFrameId >= 0xffffffff ? 1 : this.nextFrameId + 1;
    if (!sink.send({ name: 'COMMIT', seq: 0, frameId: id }, () => this.onCommitAcked(), tag)) {
      this.drawn = undefined;
      this.latest ??= this.shown;
      return false;
    }
    this.recommitWanted = false;
    this.lastCommit = { id, crc };
    return true;
  }
}
