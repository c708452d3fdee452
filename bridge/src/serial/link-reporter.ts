/**
 * Reports the serial link: the `P/state/display` snapshot (connection, in_sync, the host's and
 * the device's counters, the LEDs) and the bus events that say it changed, throttled so an
 * animation does not turn every frame into a state message. It only reads and tells: the link
 * calls it as things happen, in the order they happen.
 */
import type { DisplayLeds, DisplayLinkDeviceCounters, DisplayLinkFault, DisplayLinkHostCounters, DisplayLinkState } from '@megabit/contract';
import type { DisplayLink } from '../device/display-link';
import type { EventBus } from '../events';
import type { DeviceInfo } from './link-session';
import { FaultKind, type MessageOf, STATUS_COUNTERS } from './protocol';

/** Counters a link session keeps; each session counts its own. */
export interface SessionCounters {
  readonly packetsSent: number;
  readonly retransmits: number;
  readonly rxDropped: number;
  readonly sessions: number;
}

/** What the reporter reads of the link. */
export interface ReportedLink {
  /** The port last opened, null before the first. */
  readonly port: string | null;
  /** The device, while a session with it is open. */
  readonly device: DeviceInfo | undefined;
  /** The session on the open channel, open or still handshaking. */
  readonly session: SessionCounters | undefined;
}

/** What the reporter reads of the display output. */
export interface ReportedDisplay {
  matches(status: MessageOf<'STATUS'>): boolean;
  readonly committedId: number | null;
  readonly counters: Pick<DisplayLinkHostCounters, 'frames_sent' | 'frames_skipped' | 'frames_preempted'>;
  readonly leds: DisplayLeds;
}

export interface LinkReporterOptions {
  /** The configured device path or "auto", reported until a port is open. */
  path: string;
  bus?: EventBus;
}

/** Counter-only changes reach `displayChanged` at most this often. */
const COUNTERS_EMIT_MS = 5000;
/** in_sync flips reach `displayChanged` at most this often. */
const SYNC_EMIT_MS = 250;

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

export class LinkReporter implements DisplayLink {
  private lastStatus?: MessageOf<'STATUS'>;
  private inSync = false;
  /** The device has been in sync since the session opened: coming back is complete. */
  private syncedThisSession = false;
  private error: string | null = null;
  private lastFault: DisplayLinkFault | null = null;
  private lastEmitAt = 0;
  private emitTimer?: NodeJS.Timeout;
  /** Counters of sessions on earlier channels. */
  private readonly history = { packetsSent: 0, retransmits: 0, rxDropped: 0, sessions: 0 };

  constructor(
    private readonly link: ReportedLink,
    private readonly display: ReportedDisplay,
    private readonly options: LinkReporterOptions,
  ) {}

  linkState(): DisplayLinkState {
    const session = this.link.session;
    const status = this.lastStatus;
    const connected = this.connected;
    return {
      connected,
      transport: 'serial',
      port: this.link.port ?? this.options.path,
      board: this.link.device?.board ?? null,
      firmware_version: this.link.device?.firmwareVersion ?? null,
      protocol_version: this.link.device?.protocolVersion ?? null,
      refresh_hz: connected && status ? status.refreshHz : null,
      in_sync: connected && this.inSync,
      frame_id: this.display.committedId,
      error: this.error,
      host: {
        packets_sent: this.history.packetsSent + (session?.packetsSent ?? 0),
        retransmits: this.history.retransmits + (session?.retransmits ?? 0),
        rx_dropped: this.history.rxDropped + (session?.rxDropped ?? 0),
        ...this.display.counters,
        sessions: this.history.sessions + (session?.sessions ?? 0),
      },
      device: status ? deviceCounters(status.counters) : null,
      leds: connected ? this.display.leds : null,
      last_fault: connected ? this.lastFault : null,
    };
  }

  /** No report is left pending: the link has stopped. */
  stop(): void {
    clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
  }

  /** A port is open: an error of the last one no longer holds. */
  portOpened(): void {
    this.error = null;
  }

  /** A session opened: what was known of the device's picture and counters is stale. */
  sessionOpened(): void {
    this.error = null;
    this.inSync = false;
    this.syncedThisSession = false;
    this.lastStatus = undefined;
    // The device repeats its fault right after each HELLO_REPLY; a boot without one sends none.
    this.lastFault = null;
    this.changed('link');
  }

  /** The device reported what its previous boot ended in: shown at once. */
  fault(message: MessageOf<'FAULT'>): void {
    this.lastFault = describeFault(message);
    this.changed('link');
  }

  sessionLost(): void {
    this.inSync = false;
    this.changed('link');
  }

  /** The channel closed: its session's counters join the history. */
  channelClosed(session: SessionCounters): void {
    this.history.packetsSent += session.packetsSent;
    this.history.retransmits += session.retransmits;
    this.history.rxDropped += session.rxDropped;
    this.history.sessions += session.sessions;
  }

  refused(message: string): void {
    this.error = message;
    this.changed('link');
  }

  status(status: MessageOf<'STATUS'>): void {
    const newFrame = status.frameId !== this.lastStatus?.frameId;
    this.lastStatus = status;
    const inSync = this.display.matches(status);
    const flipped = inSync !== this.inSync;
    this.inSync = inSync;
    // The first in_sync of a session ends a reconnection: reported at once, not throttled.
    const resynced = inSync && !this.syncedThisSession;
    if (inSync) this.syncedThisSession = true;
    this.changed(resynced ? 'resynced' : flipped || (inSync && newFrame) ? 'sync' : 'counters');
  }

  /** The LEDs changed (the broker connection): shown at once while a device is connected. */
  ledsChanged(): void {
    if (this.connected) this.emit(false);
  }

  private get connected(): boolean {
    return this.link.device !== undefined;
  }

  /**
   * Tells the bus: a link change (connected, error) at once, also as `stateChanged` for
   * P/state; the first in_sync of a session at once; later in_sync flips or new frames in sync
   * at most every SYNC_EMIT_MS (an animation brings one every frame), the latest one always;
   * counters alone every COUNTERS_EMIT_MS.
   */
  private changed(kind: 'link' | 'resynced' | 'sync' | 'counters'): void {
    if (!this.options.bus) return;
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
}

export function describeFault(message: MessageOf<'FAULT'>): DisplayLinkFault {
  const kind = message.kind === FaultKind.HARDFAULT ? 'hardfault' : message.kind === FaultKind.WATCHDOG ? 'watchdog' : 'unknown';
  return { kind, pc: message.pc, lr: message.lr, cfsr: message.cfsr };
}

function deviceCounters(values: number[]): DisplayLinkDeviceCounters {
  const out = {} as DisplayLinkDeviceCounters;
  for (const [i, name] of STATUS_COUNTERS.entries()) out[COUNTER_NAMES[name]] = values[i] ?? 0;
  return out;
}
