/**
 * Which notification shows, and when the next one does.
 *
 * - Order: by priority (low < normal < high < critical), first come first served within one.
 * - Preemption: an arrival of strictly higher priority than the one showing takes its place at
 *   once. The preempted notification goes back to the head of its priority and, when its turn
 *   comes again, starts over (full duration, scroll from the start): a message resumed halfway
 *   through a scroll is hard to read.
 * - Same id: a request whose id is showing or queued replaces that notification. A showing one is
 *   replaced on screen and starts over; a queued one keeps its place in line.
 * - Bound: at most `maxQueued` wait (the showing one not counted). Beyond that the oldest of the
 *   lowest priority is dropped and reported with a `dropped` event.
 * - Stopping puts the showing notification back at the head of the queue; starting shows again.
 */
import type { NotifyRequest } from '@megabit/contract';
import type { Logger } from '../util/logger';
import type { Clock, ClockTimer } from './clock';
import { priorityRank, resolveNotification, showTimeMs, type Notification, type NotificationTiming } from './notification';

export type NotificationEvent =
  | { type: 'shown'; notification: Notification }
  /** Its time ran out. */
  | { type: 'finished'; notification: Notification }
  | { type: 'dismissed'; notification: Notification }
  /** Went back to the queue for a higher-priority one (`by`), which is shown next. */
  | { type: 'preempted'; notification: Notification; by: Notification }
  /** A request with the same id took its place. */
  | { type: 'replaced'; notification: Notification; by: Notification }
  /** The queue was full. */
  | { type: 'dropped'; notification: Notification };

export type NotificationListener = (event: NotificationEvent) => void;

export interface ShownNotification {
  readonly notification: Notification;
  /** `clock.now()` when it appeared. */
  readonly shownAt: number;
}

export interface NotificationQueueOptions extends NotificationTiming {
  maxQueued: number;
  clock: Clock;
  log: Logger;
}

interface Entry {
  notification: Notification;
  /** Arrival order, kept by replacements and preemption so FIFO order survives them. */
  seq: number;
}

interface Current extends ShownNotification {
  entry: Entry;
  timer?: ClockTimer;
}

/** Sorts first: higher priority, then older. */
function comesBefore(a: Entry, b: Entry): boolean {
  const ra = priorityRank(a.notification.priority);
  const rb = priorityRank(b.notification.priority);
  return ra !== rb ? ra > rb : a.seq < b.seq;
}

export class NotificationQueue {
  private readonly pending: Entry[] = [];
  private current?: Current;
  private readonly listeners = new Set<NotificationListener>();
  private running = false;
  /** Events wait here until the state change that raised them is complete (see `flush`). */
  private readonly outbox: NotificationEvent[] = [];
  private flushing = false;
  private nextSeq = 1;
  private nextAutoId = 1;

  constructor(private readonly options: NotificationQueueOptions) {}

  get showing(): ShownNotification | undefined {
    return this.current && { notification: this.current.notification, shownAt: this.current.shownAt };
  }

  /** Waiting notifications in the order they will show. */
  get queued(): Notification[] {
    return this.pending.map((e) => e.notification);
  }

  /** Returns a function that unsubscribes. */
  onEvent(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.running = true;
    this.showNextIfIdle();
    this.flush();
  }

  stop(): void {
    this.running = false;
    if (!this.current) return;
    this.options.clock.clearTimeout(this.current.timer);
    this.insert(this.current.entry);
    this.current = undefined;
  }

  /** Queues (or shows) a notification; returns its id, made up when the request has none. Throws on a bad request. */
  notify(request: NotifyRequest): string {
    const notification = resolveNotification(request, `notification-${this.nextAutoId}`, this.options);
    const id = notification.id;
    if (request.id === undefined) this.nextAutoId++;
    if (this.current?.notification.id === id) {
      const old = this.current;
      this.options.clock.clearTimeout(old.timer);
      this.current = undefined;
      this.emit({ type: 'replaced', notification: old.notification, by: notification });
      this.show({ notification, seq: old.entry.seq });
      this.preemptIfOutranked();
      this.flush();
      return id;
    }
    const index = this.pending.findIndex((e) => e.notification.id === id);
    let entry: Entry;
    if (index >= 0) {
      const [old] = this.pending.splice(index, 1);
      entry = { notification, seq: old!.seq };
      this.emit({ type: 'replaced', notification: old!.notification, by: notification });
    } else {
      entry = { notification, seq: this.nextSeq++ };
    }
    this.insert(entry);
    this.preemptIfOutranked();
    this.showNextIfIdle();
    this.enforceBound();
    this.flush();
    return id;
  }

  /** Dismisses notification `id` (showing or queued), or without an id the one showing. False when there was none. */
  dismiss(id?: string): boolean {
    if (this.current && (id === undefined || this.current.notification.id === id)) {
      const { notification } = this.current;
      this.options.clock.clearTimeout(this.current.timer);
      this.current = undefined;
      this.emit({ type: 'dismissed', notification });
      this.showNextIfIdle();
      this.flush();
      return true;
    }
    if (id === undefined) return false;
    const index = this.pending.findIndex((e) => e.notification.id === id);
    if (index < 0) return false;
    const [entry] = this.pending.splice(index, 1);
    this.emit({ type: 'dismissed', notification: entry!.notification });
    this.flush();
    return true;
  }

  private insert(entry: Entry): void {
    const at = this.pending.findIndex((e) => comesBefore(entry, e));
    if (at < 0) this.pending.push(entry);
    else this.pending.splice(at, 0, entry);
  }

  private show(entry: Entry): void {
    const { clock, scrollSpeedPxPerS } = this.options;
    const current: Current = { entry, notification: entry.notification, shownAt: clock.now() };
    const time = showTimeMs(entry.notification, scrollSpeedPxPerS);
    if (Number.isFinite(time)) current.timer = clock.setTimeout(() => this.finish(current), time);
    this.current = current;
    this.emit({ type: 'shown', notification: entry.notification });
  }

  private finish(current: Current): void {
    if (this.current !== current) return;
    this.current = undefined;
    this.emit({ type: 'finished', notification: current.notification });
    this.showNextIfIdle();
    this.flush();
  }

  private showNextIfIdle(): void {
    if (!this.running || this.current) return;
    const next = this.pending.shift();
    if (next) this.show(next);
  }

  private preemptIfOutranked(): void {
    const head = this.pending[0];
    if (!this.running || !this.current || !head) return;
    if (priorityRank(head.notification.priority) <= priorityRank(this.current.notification.priority)) return;
    const preempted = this.current;
    this.options.clock.clearTimeout(preempted.timer);
    this.current = undefined;
    this.pending.shift();
    this.insert(preempted.entry);
    this.emit({ type: 'preempted', notification: preempted.notification, by: head.notification });
    this.show(head);
  }

  private enforceBound(): void {
    while (this.pending.length > this.options.maxQueued) {
      // The queue is sorted, so the lowest priority is at the end and its oldest starts that run.
      const lowest = this.pending[this.pending.length - 1]!.notification.priority;
      const index = this.pending.findIndex((e) => e.notification.priority === lowest);
      const [dropped] = this.pending.splice(index, 1);
      this.emit({ type: 'dropped', notification: dropped!.notification });
    }
  }

  private emit(event: NotificationEvent): void {
    this.outbox.push(event);
  }

  /**
   * Delivers queued events once the queue is consistent again, so a listener may call back in
   * (notify, dismiss) safely. A nested call only adds events; the outermost loop delivers them in order.
   */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let event = this.outbox.shift(); event; event = this.outbox.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(event);
          } catch (e) {
            this.options.log.error(`notification listener failed on "${event.type}": ${(e as Error).stack ?? String(e)}`);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
