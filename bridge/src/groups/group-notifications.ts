/**
 * A notification sent to a group must leave every display of the group when it is dismissed on
 * one of them by its button. This part remembers which notifications came from which groups
 * and, when a button press is about to dismiss one of them, publishes a group dismiss with its
 * id. Only button presses publish: a display acting on a group dismiss never publishes one, so a
 * dismiss cannot loop between the displays (the one that pressed gets its own dismiss back and
 * finds nothing left to dismiss).
 */
import { createHash } from 'node:crypto';
import { CMD, type GroupTopics, type NotifyReply, type NotifyRequest } from '@megabit/contract';
import type { DeviceControl } from '../device/device-control';
import type { EventBus } from '../events';
import type { Part } from '../part';
import type { Logger } from '../util/logger';

/** Ids remembered at most; the oldest goes first (a notification that old is long gone). */
const MAX_TRACKED = 256;

export interface GroupDismissPublisher {
  publish(topic: string, payload: string, options: { qos: 0 | 1 }): void;
}

export class GroupNotifications implements Part {
  readonly name = 'group notifications';
  /** Notification id → the groups it was sent to, oldest first. */
  private readonly groupsOf = new Map<string, Set<string>>();

  constructor(
    private readonly groups: ReadonlyMap<string, GroupTopics>,
    private readonly device: Pick<DeviceControl, 'state'>,
    private readonly bus: EventBus,
    private readonly mqtt: GroupDismissPublisher,
    private readonly log: Logger,
  ) {}

  start(): void {
    // The bus tells listeners of a press before the device acts on it, so the notification the
    // press dismisses is still the one showing here.
    this.bus.on(this, 'button', (event) => {
      if (event.action !== 'press') return;
      const id = this.device.state().notification;
      if (id !== null) this.propagate(id);
    });
  }

  stop(): void {
    this.bus.removeListeners(this);
  }

  /** The device a group's commands act on: its notifications get an id shared by every member, and are remembered. */
  deviceFor(group: string, device: DeviceControl): DeviceControl {
    const notify = (request: NotifyRequest): NotifyReply => {
      const id = request.id ?? groupNotificationId(request);
      this.track(id, group);
      return device.notify({ ...request, id });
    };
    return new Proxy(device, {
      get: (target, property) => {
        if (property === 'notify') return notify;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private track(id: string, group: string): void {
    const groups = this.groupsOf.get(id) ?? new Set<string>();
    this.groupsOf.delete(id);
    groups.add(group);
    this.groupsOf.set(id, groups);
    if (this.groupsOf.size > MAX_TRACKED) this.groupsOf.delete(this.groupsOf.keys().next().value!);
  }

  private propagate(id: string): void {
    const groups = this.groupsOf.get(id);
    if (!groups) return;
    this.groupsOf.delete(id);
    for (const group of groups) {
      const topics = this.groups.get(group);
      if (!topics) continue;
      this.log.debug(`button dismissed group notification ${id}: dismissing it on group ${group}`);
      this.mqtt.publish(topics.cmd(CMD.notifyDismiss), JSON.stringify({ id }), { qos: 1 });
    }
  }
}

/**
 * The id of a group notification sent without one. Every member works it out from the request
 * alone, so all of them show it under the same id and a dismiss by id reaches it everywhere; the
 * same notification sent again replaces the one showing rather than queueing a copy.
 */
export function groupNotificationId(request: NotifyRequest): string {
  const { transaction: _transaction, ...content } = request;
  return `group-${createHash('sha256').update(stableJson(content)).digest('hex').slice(0, 16)}`;
}

/** JSON with object keys sorted, so the same content hashes the same whatever order it came in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
