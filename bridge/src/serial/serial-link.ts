/**
 * The serial link to the display coprocessor. The port supervisor keeps the port open; on each
 * open channel this runs a link session and routes what happens on it, in one visible order,
 * to the parts that act on it: the display output (frames, power, LEDs), the reporter
 * (`P/state/display` and the bus) and the button. What belongs to the conversation itself
 * stays here: the packet size, polling the device's status, the device's log lines.
 */
import type { ButtonEvent as ApiButtonEvent, ButtonTimings } from '@megabit/contract';
import type { EventBus } from '../events';
import type { Logger } from '../util/logger';
import { ChangeLog } from './change-log';
import { DeviceButton } from './device-button';
import { type DeviceInfo, LinkSession } from './link-session';
import { describeFault, LinkReporter } from './link-reporter';
import { PacketSizer } from './packet-sizer';
import { type ChannelOpener, type OpenChannel, openSerialChannel } from './port-opener';
import { PortSupervisor } from './port-supervisor';
import { LogLevel, levelClasses, MAX_PACKET, type MessageOf, RejectReason } from './protocol';
import { type FrameLink, SerialDisplay } from './serial-display';

export interface SerialLinkOptions {
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
/**
 * A session whose packets were cut too long is restarted after this many fruitless resend
 * rounds spanning at least this long. Time, not only rounds: the resend timeout backs off
 * (send-window.ts), so rounds come further apart the longer nothing passes.
 */
const MAX_STALLED_ROUNDS = 2;
const MAX_STALLED_MS = 1500;

const REJECT_NAMES = new Map<number, string>(Object.entries(RejectReason).map(([name, code]) => [code, name]));

export class SerialLink implements FrameLink {
  /** The output the device core sends frames to; it starts and stops this link. */
  readonly display: SerialDisplay;
  /** The link's state for `P/state/display`. */
  readonly reporter: LinkReporter;
  private readonly button: DeviceButton;
  private readonly supervisor: PortSupervisor;
  private readonly sizer = new PacketSizer(MAX_PACKET);
  private readonly note: ChangeLog;
  private running = false;
  private pollTimer?: NodeJS.Timeout;
  private current?: LinkSession;
  private openedPath: string | null = null;
  private deviceInfo?: DeviceInfo;
  private lastBootId?: number;
  private statusRequestedAt?: number;
  private statusAgain = false;
  private faultLoggedForBoot?: number;
  private readonly rejectsLogged = new Set<number>();

  constructor(private readonly options: SerialLinkOptions) {
    this.note = new ChangeLog(options.log);
    this.display = new SerialDisplay(this);
    this.reporter = new LinkReporter(this, this.display, { path: options.path, bus: options.bus });
    this.button = new DeviceButton(options.button, options.onButton, options.log);
    this.supervisor = new PortSupervisor({
      path: options.path,
      openChannel: options.openChannel ?? openSerialChannel,
      attach: (opened) => this.attach(opened),
      note: this.note,
      log: options.log,
    });
  }

  /** The device, while a session with it is open. */
  get device(): DeviceInfo | undefined {
    return this.deviceInfo;
  }

  /** The port last opened (the path `auto` found), null before the first. */
  get port(): string | null {
    return this.openedPath;
  }

  /** The session on the open channel, open or still handshaking. */
  get session(): LinkSession | undefined {
    return this.current;
  }

  get openSession(): LinkSession | undefined {
    return this.current?.isOpen && this.deviceInfo ? this.current : undefined;
  }

  get packetLimit(): number {
    return this.sizer.current;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.pollTimer = setInterval(() => this.requestStatus(false), STATUS_POLL_MS);
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pollTimer);
    this.reporter.stop();
    this.button.reset();
    await this.supervisor.stop();
  }

  /** The RGB status LED shows whether the bridge is connected to its MQTT broker. */
  setBrokerConnected(connected: boolean): void {
    if (this.display.setBrokerConnected(connected)) this.reporter.ledsChanged();
  }

  frameCommitted(): void {
    // A 1.1 device says so itself once the frame is on the panel: asking too would cost a packet
    // (a window slot) and a STATUS a frame on the link that carries the next reaction frame.
    if (this.deviceInfo?.statusOnNewFrame) return;
    this.requestStatus(true);
  }

  /** Runs a session on a freshly opened channel; returns what ends it. */
  private attach(opened: OpenChannel): () => void {
    const session = new LinkSession(opened.channel, {
      copies: () => (this.sizer.noisy ? 2 : 1),
      handlers: {
        open: (info) => this.onOpen(info),
        lost: (reason) => this.onLost(reason),
        incompatible: (message) => this.onIncompatible(message),
        button: (m) => this.button.edge(m),
        status: (m) => this.onStatus(m),
        log: (m) => this.onDeviceLog(m),
        reject: (m) => this.onReject(m),
        fault: (m) => this.onFault(m),
        progress: (released) => {
          this.sizer.delivered(released);
          this.display.pump();
        },
        resent: () => this.onResent(session),
      },
    });
    this.current = session;
    this.openedPath = opened.path;
    this.reporter.portOpened();
    session.start();
    return () => {
      session.close();
      this.current = undefined;
      this.reporter.channelClosed(session);
      if (this.deviceInfo) this.onLost(`port ${opened.path} closed`);
    };
  }

  private onOpen(info: DeviceInfo): void {
    const rebooted = this.lastBootId !== undefined && this.lastBootId !== info.bootId;
    this.lastBootId = info.bootId;
    // The device's clock started again: edge times from before cannot be compared with new ones.
    if (rebooted) this.button.reset();
    this.deviceInfo = info;
    this.sizer.setMax(info.maxPacket);
    this.statusRequestedAt = undefined;
    this.rejectsLogged.clear();
    this.note.note(
      'info',
      `display connected on ${this.openedPath}: ${info.board}, firmware ${info.firmwareVersion}, protocol ${info.protocolVersion}${rebooted ? ' (device restarted)' : ''}`,
    );
    this.reporter.sessionOpened();
    this.display.sessionOpened(info.levelRice ? levelClasses(info.colourDepth) : undefined);
  }

  private onLost(reason: string): void {
    const was = this.deviceInfo !== undefined;
    this.deviceInfo = undefined;
    this.button.reset();
    if (was) this.note.note('warn', `display link lost: ${reason}`);
    this.reporter.sessionLost();
  }

  private onIncompatible(message: string): void {
    this.note.note('error', `display refused: ${message}`);
    this.reporter.refused(message);
  }

  private onStatus(status: MessageOf<'STATUS'>): void {
    this.statusRequestedAt = undefined;
    this.reporter.status(status);
    if (this.statusAgain) {
      this.statusAgain = false;
      this.requestStatus(true);
    }
  }

  private onDeviceLog(message: MessageOf<'LOG'>): void {
    const line = `device: ${message.text}`;
    const { log } = this.options;
    if (message.level >= LogLevel.ERROR) log.error(line);
    else if (message.level === LogLevel.WARN) log.warn(line);
    else if (message.level === LogLevel.INFO) log.info(line);
    else log.debug(line);
  }

  /**
   * The boot before this one crashed. The device says so after every handshake of the boot;
   * logged once per boot, shown in P/state/display for the whole boot.
   */
  private onFault(message: MessageOf<'FAULT'>): void {
    this.reporter.fault(message);
    if (this.faultLoggedForBoot === this.deviceInfo?.bootId) return;
    this.faultLoggedForBoot = this.deviceInfo?.bootId;
    const fault = describeFault(message);
    const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
    const where =
      fault.kind === 'watchdog'
        ? 'the watchdog reset it (the firmware stopped making progress)'
        : `${fault.kind} at pc ${hex(fault.pc)}, lr ${hex(fault.lr)}, cfsr ${hex(fault.cfsr)}`;
    this.options.log.error(`display firmware restarted after a fault: ${where}`);
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
   * What counts is the packet the link is stuck on, not the frame encoded last: frames that
   * came meanwhile were cut to the shrunk size and wait behind it all the same.
   */
  private onResent(session: LinkSession): void {
    this.sizer.lost();
    const stalled = session.stalledRounds >= MAX_STALLED_ROUNDS && session.stalledMs >= MAX_STALLED_MS;
    if (stalled && session.oldestLength > this.sizer.current) {
      session.restart(`no progress after ${session.stalledRounds} resends in ${(session.stalledMs / 1000).toFixed(1)} s; sending shorter packets`);
    }
  }

  /** GET_STATUS, unless one is outstanding (then once more when it is answered, if `soon`). */
  private requestStatus(soon: boolean): void {
    const session = this.current;
    if (!session?.isOpen) return;
    const outstanding = this.statusRequestedAt !== undefined && Date.now() - this.statusRequestedAt < STATUS_POLL_MS;
    if (outstanding) {
      if (soon) this.statusAgain = true;
      return;
    }
    if (session.send({ name: 'GET_STATUS', seq: 0 })) this.statusRequestedAt = Date.now();
  }
}
