/**
 * The display coprocessor as a DisplayOutput: opens the serial port (retrying with backoff
 * while it is absent), runs a link session on it, keeps the device's picture in step with the
 * bridge's (FrameSync), checks that it is (GET_STATUS: `in_sync`), and turns the device's
 * button events into API button actions. Logs once per change of state, never per retry.
 */
import type { ButtonEvent as ApiButtonEvent, DisplayLinkDeviceCounters, DisplayLinkState } from '@megabit/contract';
import { ButtonClassifier } from '../device/button-classifier';
import type { DisplayLink } from '../device/display-link';
import type { DisplayOutput } from '../display/output';
import type { EventBus } from '../events';
import { errorMessage, type Logger } from '../util/logger';
import { FrameSync } from './frame-sync';
import { type DeviceInfo, LinkSession } from './link-session';
import { PacketSizer } from './packet-sizer';
import { AUTO_PATH, type ChannelOpener, type OpenChannel, openSerialChannel } from './port-opener';
import { ButtonEvent, LogLevel, MAX_PACKET, type MessageOf, RejectReason, STATUS_COUNTERS } from './protocol';

export interface SerialOutputOptions {
  /** A device path, or "auto". */
  path: string;
  doublePressMs: number;
  onButton: (event: ApiButtonEvent) => void;
  log: Logger;
  bus?: EventBus;
  /** How the port is opened; tests pass an in-memory channel. */
  openChannel?: ChannelOpener;
}

const STATUS_POLL_MS = 1000;
const RETRY_MIN_MS = 100;
/**
 * Opening a missing device path is one cheap system call, so it is retried often enough to
 * show the picture within a second of the device coming back; listing USB devices (auto) runs
 * udevadm, so that is retried less often.
 */
const RETRY_MAX_MS = 250;
const RETRY_MAX_AUTO_MS = 2000;
/** Counter-only changes reach `displayChanged` at most this often. */
const COUNTERS_EMIT_MS = 5000;
/** in_sync flips reach `displayChanged` at most this often. */
const SYNC_EMIT_MS = 250;
const MAIN_BUTTON = 0;
const MAX_STALLED_ROUNDS = 5;
const STOP_TIMEOUT_MS = 2000;

const COUNTER_NAMES: Record<(typeof STATUS_COUNTERS)[number], keyof DisplayLinkDeviceCounters> = {
  rxPackets: 'rx_packets',
  rxCrcErrors: 'rx_crc_errors',
  rxMalformed: 'rx_malformed',
  rxOversize: 'rx_oversize',
  rxOverruns: 'rx_overruns',
  rxDuplicates: 'rx_duplicates',
  rxGaps: 'rx_gaps',
  txRetransmits: 'tx_retransmits',
  framesShown: 'frames_shown',
  framesDropped: 'frames_dropped',
  rejected: 'rejected',
  noSession: 'no_session',
};

const REJECT_NAMES = new Map<number, string>(Object.entries(RejectReason).map(([name, code]) => [code, name]));

interface Conversation {
  opened: OpenChannel;
  session: LinkSession;
  end: () => void;
}

export class SerialOutput implements DisplayOutput, DisplayLink {
  readonly name = 'serial';
  private readonly frames = new FrameSync(() => this.onCommitAcked());
  private readonly sizer = new PacketSizer(MAX_PACKET);
  private readonly classifier: ButtonClassifier;
  private readonly openChannel: ChannelOpener;
  private running = false;
  private loop?: Promise<void>;
  private conversation?: Conversation;
  private wake?: () => void;
  private pollTimer?: NodeJS.Timeout;
  private device?: DeviceInfo;
  private lastBootId?: number;
  private lastStatus?: MessageOf<'STATUS'>;
  private inSync = false;
  private error: string | null = null;
  private openedPath: string | null = null;
  private statusRequestedAt?: number;
  private statusAgain = false;
  private lastEmitAt = 0;
  private emitTimer?: NodeJS.Timeout;
  private lastProblem?: string;
  private readonly rejectsLogged = new Set<number>();
  /** Counters of sessions on earlier channels (each LinkSession counts its own). */
  private readonly history = { packetsSent: 0, retransmits: 0, rxDropped: 0, sessions: 0 };

  constructor(private readonly options: SerialOutputOptions) {
    this.openChannel = options.openChannel ?? openSerialChannel;
    this.classifier = new ButtonClassifier({
      doublePressMs: options.doublePressMs,
      onAction: (action) => {
        try {
          options.onButton({ button: 'main', action });
        } catch (e) {
          options.log.error(`handling the ${action} of the display's button failed: ${errorMessage(e)}`);
        }
      },
    });
  }

  get connected(): boolean {
    return this.device !== undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.pollTimer = setInterval(() => this.requestStatus(false), STATUS_POLL_MS);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.emitTimer);
    this.classifier.reset();
    this.wake?.();
    this.conversation?.end();
    // A port stuck opening or closing (a wedged USB driver) must not hold up the bridge's exit.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>((resolve) => (timer = setTimeout(() => {
      this.options.log.warn('the display port did not close within 2 s; leaving it');
      resolve();
    }, STOP_TIMEOUT_MS)));
    await Promise.race([this.loop, stuck]);
    clearTimeout(timer);
  }

  showFrame(frame: Uint8Array): void {
    this.frames.show(frame);
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

  linkState(): DisplayLinkState {
    const session = this.conversation?.session;
    const status = this.lastStatus;
    const committed = this.frames.committed;
    return {
      connected: this.connected,
      transport: 'serial',
      port: this.openedPath ?? this.options.path,
      board: this.device?.board ?? null,
      firmware_version: this.device?.firmwareVersion ?? null,
      protocol_version: this.device?.protocolVersion ?? null,
      refresh_hz: this.connected && status ? status.refreshHz : null,
      in_sync: this.connected && this.inSync,
      frame_id: committed?.id ?? null,
      error: this.error,
      host: {
        packets_sent: this.history.packetsSent + (session?.packetsSent ?? 0),
        retransmits: this.history.retransmits + (session?.retransmits ?? 0),
        rx_dropped: this.history.rxDropped + (session?.rxDropped ?? 0),
        frames_sent: this.frames.framesSent,
        frames_skipped: this.frames.framesSkipped,
        sessions: this.history.sessions + (session?.sessions ?? 0),
      },
      device: status ? deviceCounters(status.counters) : null,
    };
  }

  // ---- the port ----

  private async run(): Promise<void> {
    const maxDelay = this.options.path === AUTO_PATH ? RETRY_MAX_AUTO_MS : RETRY_MAX_MS;
    let delay = RETRY_MIN_MS;
    while (this.running) {
      let opened: OpenChannel;
      try {
        opened = await this.openChannel(this.options.path);
      } catch (e) {
        this.problem('warn', `display port ${this.options.path} unavailable (${errorMessage(e)}); retrying`);
        await this.sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
        continue;
      }
      delay = RETRY_MIN_MS;
      if (this.running) await this.converse(opened);
      await opened.close().catch(() => undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Talks to the device on `opened` until the channel closes or the output stops. */
  private converse(opened: OpenChannel): Promise<void> {
    return new Promise((resolve) => {
      const { channel } = opened;
      const session = new LinkSession(channel, {
        copies: () => (this.sizer.noisy ? 2 : 1),
        handlers: {
          open: (info) => this.onOpen(info),
          lost: (reason) => this.onLost(reason),
          incompatible: (message) => this.onIncompatible(message),
          button: (m) => this.onButton(m),
          status: (m) => this.onStatus(m),
          log: (m) => this.onDeviceLog(m),
          reject: (m) => this.onReject(m),
          progress: (released) => {
            this.sizer.delivered(released);
            this.pump();
          },
          resent: () => this.onResent(session),
        },
      });
      const onError = (error: Error): void => this.problem('warn', `display port ${opened.path}: ${error.message}`);
      const end = (): void => {
        if (this.conversation?.session !== session) return;
        channel.off('close', end);
        channel.off('error', onError);
        session.close();
        this.history.packetsSent += session.packetsSent;
        this.history.retransmits += session.retransmits;
        this.history.rxDropped += session.rxDropped;
        this.history.sessions += session.sessions;
        this.conversation = undefined;
        if (this.device) this.onLost(`port ${opened.path} closed`);
        resolve();
      };
      channel.on('close', end);
      channel.on('error', onError);
      this.conversation = { opened, session, end };
      this.openedPath = opened.path;
      this.error = null;
      this.problem('info', `display port ${opened.path} open; waiting for the device to answer`);
      session.start();
    });
  }

  // ---- session events ----

  private onOpen(info: DeviceInfo): void {
    const rebooted = this.lastBootId !== undefined && this.lastBootId !== info.bootId;
    this.lastBootId = info.bootId;
    this.device = info;
    this.sizer.setMax(info.maxPacket);
    this.error = null;
    this.inSync = false;
    this.lastStatus = undefined;
    this.statusRequestedAt = undefined;
    this.rejectsLogged.clear();
    this.frames.restart();
    this.problem('info', `display connected on ${this.openedPath}: ${info.board}, firmware ${info.firmwareVersion}, protocol ${info.protocolVersion}${rebooted ? ' (device restarted)' : ''}`);
    this.changed('link');
    this.pump();
  }

  private onLost(reason: string): void {
    const was = this.device !== undefined;
    this.device = undefined;
    this.inSync = false;
    if (was) this.problem('warn', `display link lost: ${reason}`);
    this.changed('link');
  }

  private onIncompatible(message: string): void {
    this.error = message;
    this.problem('error', `display refused: ${message}`);
    this.changed('link');
  }

  private onButton(message: MessageOf<'BUTTON'>): void {
    if (message.button !== MAIN_BUTTON) return;
    if (message.event === ButtonEvent.CLICK) this.classifier.click(message.timeMs);
    else if (message.event === ButtonEvent.LONG) this.classifier.longPress();
  }

  private onStatus(status: MessageOf<'STATUS'>): void {
    const newFrame = status.frameId !== this.lastStatus?.frameId;
    this.lastStatus = status;
    this.statusRequestedAt = undefined;
    const inSync = this.frames.matches(status);
    const flipped = inSync !== this.inSync;
    this.inSync = inSync;
    this.changed(flipped || (inSync && newFrame) ? 'sync' : 'counters');
    if (this.statusAgain) {
      this.statusAgain = false;
      this.requestStatus(true);
    }
  }

  private onDeviceLog(message: MessageOf<'LOG'>): void {
    const line = `device: ${message.text}`;
    if (message.level >= LogLevel.ERROR) this.options.log.error(line);
    else if (message.level === LogLevel.WARN) this.options.log.warn(line);
    else if (message.level === LogLevel.INFO) this.options.log.info(line);
    else this.options.log.debug(line);
  }

  private onReject(message: MessageOf<'REJECT'>): void {
    // A rejected command is a bridge bug; one line per reason per session is enough to see it.
    if (this.rejectsLogged.has(message.reason)) return;
    this.rejectsLogged.add(message.reason);
    this.options.log.error(`display rejected packet ${message.rejectedSeq}: ${REJECT_NAMES.get(message.reason) ?? `reason ${message.reason}`}`);
  }

  /**
   * Packets encoded before the line got noisy may be too long to ever pass intact; after a few
   * fruitless resends, a new session sends the picture again in packets of the shrunk size.
   */
  private onResent(session: LinkSession): void {
    this.sizer.lost();
    if (session.stalledRounds >= MAX_STALLED_ROUNDS && this.frames.encodedLimit > this.sizer.current) {
      session.restart(`no progress after ${MAX_STALLED_ROUNDS} resends; sending shorter packets`);
    }
  }

  private onCommitAcked(): void {
    this.requestStatus(true);
  }

  // ---- sending ----

  private pump(): void {
    const session = this.conversation?.session;
    if (!session?.isOpen || !this.device) return;
    this.frames.pump(session, this.sizer.current);
  }

  /** GET_STATUS, unless one is outstanding (then once more when it is answered, if `soon`). */
  private requestStatus(soon: boolean): void {
    const session = this.conversation?.session;
    if (!session?.isOpen) return;
    const outstanding = this.statusRequestedAt !== undefined && Date.now() - this.statusRequestedAt < STATUS_POLL_MS;
    if (outstanding) {
      if (soon) this.statusAgain = true;
      return;
    }
    if (session.send({ name: 'GET_STATUS', seq: 0 })) this.statusRequestedAt = Date.now();
  }

  // ---- reporting ----

  /**
   * Tells the bus: a link change (connected, error) at once, also as `stateChanged` for
   * P/state; an in_sync flip or a new frame in sync at most every SYNC_EMIT_MS (an animation
   * brings one every frame), the latest one always; counters alone every COUNTERS_EMIT_MS.
   */
  private changed(kind: 'link' | 'sync' | 'counters'): void {
    const bus = this.options.bus;
    if (!bus) return;
    const since = Date.now() - this.lastEmitAt;
    if (kind === 'counters' && (since < COUNTERS_EMIT_MS || this.emitTimer)) return;
    if (kind === 'sync' && since < SYNC_EMIT_MS) {
      this.emitTimer ??= setTimeout(() => this.emit(false), SYNC_EMIT_MS - since);
      return;
    }
    this.emit(kind === 'link');
  }

  private emit(linkChanged: boolean): void {
    clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
    this.lastEmitAt = Date.now();
    this.options.bus?.emit('displayChanged');
    if (linkChanged) this.options.bus?.emit('stateChanged');
  }

  private problem(level: 'info' | 'warn' | 'error', message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.log[level](message);
  }
}

function deviceCounters(values: number[]): DisplayLinkDeviceCounters {
  const out = {} as DisplayLinkDeviceCounters;
  STATUS_COUNTERS.forEach((name, i) => (out[COUNTER_NAMES[name]] = values[i] ?? 0));
  return out;
}
