/**
 * A command published under the bridge's base topic for a device id no display has would
 * otherwise vanish: nobody subscribes to it, and the sender sees no reply. The embedded broker
 * shows this every topic published through it (never the payload), so a warning costs no
 * subscription. (Subscribing to `<base>/+/cmd/#` instead would overlap the bridge's own command
 * subscription, and a broker may then deliver each of its commands twice.)
 */
import type { Logger } from '../util/logger';

/** At most one warning per wrong device id this often. */
export const WARN_EVERY_MS = 60_000;
/** Bounds what a flood of made-up ids can make this remember. */
const MAX_REMEMBERED = 256;

export class MisaddressedCommands {
  /** Device ids some display announced (`<base>/<id>/availability`): their commands are not lost. */
  private readonly displays = new Set<string>();
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly baseTopic: string,
    private readonly deviceId: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called with the topic of every publish the broker lets through. */
  published(topic: string): void {
    const prefix = `${this.baseTopic}/`;
    if (!topic.startsWith(prefix)) return;
    const [id, kind, ...rest] = topic.slice(prefix.length).split('/');
    if (id === this.deviceId) return;
    if (kind === 'availability' && rest.length === 0) {
      if (this.displays.size >= MAX_REMEMBERED) this.displays.clear();
      this.displays.add(id);
      return;
    }
    if (kind !== 'cmd' || rest.length === 0 || this.displays.has(id)) return;
    const now = this.now();
    if (now - (this.lastWarned.get(id) ?? -Infinity) < WARN_EVERY_MS) return;
    if (this.lastWarned.size >= MAX_REMEMBERED) this.lastWarned.clear();
    this.lastWarned.set(id, now);
    // Quoted as JSON: a topic with a line break cannot forge a log line.
    this.log.warn(
      `a command on ${JSON.stringify(topic)} reached no display: no display here has device id ${JSON.stringify(id)}. ` +
        `This one's commands go to ${JSON.stringify(`${prefix}${this.deviceId}/cmd/${rest.join('/')}`)}`,
    );
  }
}
