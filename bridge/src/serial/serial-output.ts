/**
 * The display coprocessor as a DisplayOutput: opens the serial port (retrying with backoff
 * while it is absent), runs a link session on it, keeps the device's picture in step with the
 * bridge's (FrameSync), checks that it is (GET_STATUS: `in_sync`), and turns the device's
 * button events into API button actions. Logs once per change of state, never per retry.
 */
import type { ButtonEvent as ApiButtonEvent, DisplayLinkDeviceCounters, DisplayLinkState } from '@megabit/contract';
import { ButtonClassifier, type ButtonTimings } from '@megabit/contract';
import type { DisplayLink } from '../device/display-link';
import type { DisplayOutput } from '../display/output';
import type { EventBus } from '../events';
import { errorMessage, type Logger } from '../util/logger';
import { FrameSync } from './frame-sync';
import { type DeviceInfo, LinkSession } from './link-session';
import { PacketSizer } from './packet-sizer';
import { ledBits, statusLeds } from './status-leds';
import { sightDevice, waitForDevice } from './device-watch';
import { type ChannelOpener, type OpenChannel, openSerialChannel } from './port-opener';
import { ButtonEvent, LogLevel, MAX_PACKET, type MessageOf, RejectReason, STATUS_COUNTERS } from './protocol';

export interface SerialOutputOptions {
  /** A device path, or "auto". */
  path: string;
  /** How the device's button edges become press, long press and double press. */
  button: ButtonTimings;
  onButton: (event: ApiButtonEvent) => void;
  log: Logger;
  bus?: EventBus;
  /** How the port is opened; tests pass an in-memory channel. */
  openChannel?: ChannelOpener;
}

const STATUS_POLL_MS = 1000;
const RETRY_MIN_MS = 100;
/**
 * The longest wait between two attempts to open the port. A device that comes back is seen by
 * the directory watch at once (device-watch.ts); this only bounds the retries of a device that
 * is there but fails to open, and of changes the watch cannot see.
 */
const RETRY_MAX_MS = 2000;
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
  /** The device has been in sync since the session opened: coming back is complete. */
  private syncedThisSession = false;
  private error: string | null = null;
  private openedPath: string | null = null;
  private statusRequestedAt?: number;
  private statusAgain = false;
  private lastEmitAt = 0;
  private emitTimer?: NodeJS.Timeout;
  private lastProblem?: string;
  private brokerConnected = false;
  private readonly rejectsLogged = new Set<number>();
  /** Counters of sessions on earlier channels (each LinkSession counts its own). */
  private readonly history = { packetsSent: 0, retransmits: 0, rxDropped: 0, sessions: 0 };

  constructor(private readonly options: SerialOutputOptions) {
    this.openChannel = options.openChannel ?? openSerialChannel;
    this.frames.setLeds(ledBits(statusLeds(this.brokerConnected)));
    this.classifier = new ButtonClassifier({
      ...options.button,
      // Edge times are the device's u32 uptime, which wraps.
      elapsedMs: (from, to) => (to - from) >>> 0,
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

  /** The RGB status LED shows whether the bridge is connected to its MQTT broker. */
  setBrokerConnected(connected: boolean): void {
    if (connected === this.brokerConnected) return;
    this.brokerConnected = connected;
    this.frames.setLeds(ledBits(statusLeds(connected)));
    this.pump();
    if (this.connected) this.emit(false);
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
      leds: this.connected ? statusLeds(this.brokerConnected) : null,
    };
  }

  // ---- the port ----

  private async run(): Promise<void> {
    const { path } = this.options;
    let delay = RETRY_MIN_MS;
    while (this.running) {
      let opened: OpenChannel;
      const before = sightDevice(path);
      try {
        opened = await this.openChannel(path);
      } catch (e) {
        this.problem('warn', `display port ${path} unavailable (${errorMessage(e)}); retrying`);
        if (!this.running) break;
        const wait = waitForDevice(path, delay, before);
        this.wake = wait.stop;
        const reason = await wait.done;
        // A device that just appeared may still be settling (udev links, permissions): retry
        // it soon again rather than after the long backoff of an absent one.
        delay = reason === 'changed' ? RETRY_MIN_MS : Math.min(delay * 2, RETRY_MAX_MS);
        continue;
      }
      delay = RETRY_MIN_MS;
      if (this.running) await this.converse(opened);
      await opened.close().catch(() => undefined);
    }
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
    // The device's clock started again: edge times from before cannot be compared with new ones.
    if (rebooted) this.classifier.reset();
    this.device = info;
    this.sizer.setMax(info.maxPacket);
    this.error = null;
    this.inSync = false;
    this.syncedThisSession = false;
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
    // A hold whose release may never come must not turn into a long press.
    this.classifier.reset();
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
    if (message.event === ButtonEvent.DOWN) this.classifier.down(message.timeMs);
    else if (message.event === ButtonEvent.UP) this.classifier.up(message.timeMs);
  }

  private onStatus(status: MessageOf<'STATUS'>): void {
    const newFrame = status.frameId !== this.lastStatus?.frameId;
    this.lastStatus = status;
    this.statusRequestedAt = undefined;
    const inSync = this.frames.matches(status);
    const flipped = inSync !== this.inSync;
    this.inSync = inSync;
    // The first in_sync of a session ends a reconnection: reported at once, not throttled.
    const resynced = inSync && !this.syncedThisSession;
    if (inSync) this.syncedThisSession = true;
    this.changed(resynced ? 'resynced' : flipped || (inSync && newFrame) ? 'sync' : 'counters');
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
   * P/state; the first in_sync of a session at once; later in_sync flips or new frames in sync
   * at most every SYNC_EMIT_MS (an animation brings one every frame), the latest one always;
   * counters alone every COUNTERS_EMIT_MS.
   */
  private changed(kind: 'link' | 'resynced' | 'sync' | 'counters'): void {
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
