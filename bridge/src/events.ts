/**
 * The bridge's typed event bus. The core (scheduler, compositor, app store) emits; the outer
 * layers (MQTT API, Home Assistant, serial link) listen. A throwing listener is logged and
 * never breaks the emitter.
 */
import { EventEmitter } from 'node:events';
import type { AppLogEvent, ButtonEvent } from '@megabit/contract';
import type { Logger } from './util/logger';

export interface EventMap {
  /** Power, brightness, current app, rotation or notification changed. */
  stateChanged: [];
  /** Installed apps, their order, enabled flags or statuses changed. */
  appsChanged: [];
  button: [event: ButtonEvent];
  appLog: [appId: string, event: AppLogEvent];
  /** The display hardware's link state or counters changed. */
  displayChanged: [];
  /**
   * Night mode began, ended, or its night app changed (docs/schedules.md). The night-mode part
   * emits it; the rotation listens, and while `active` with an `app` shows only that app.
   */
  nightChanged: [night: NightChange];
}

export interface NightChange {
  active: boolean;
  /** The only app or screen shown while `active`; absent = the rotation goes on. */
  app?: string;
}

type Listener<K extends keyof EventMap> = (...args: EventMap[K]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly byOwner = new Map<object, Array<[keyof EventMap, (...args: unknown[]) => void]>>();

  constructor(private readonly log: Logger) {
    this.emitter.setMaxListeners(100);
  }

  emit<K extends keyof EventMap>(event: K, ...args: EventMap[K]): void {
    this.emitter.emit(event, ...args);
  }

  /** Registers `listener` under `owner`, so `removeListeners(owner)` drops all of them at once. */
  on<K extends keyof EventMap>(owner: object, event: K, listener: Listener<K>): void {
    const wrapped = (...args: unknown[]): void => {
      try {
        listener(...(args as EventMap[K]));
      } catch (e) {
        this.log.error(`listener of "${String(event)}" in ${owner.constructor.name} failed: ${(e as Error).stack ?? String(e)}`);
      }
    };
    this.emitter.on(event, wrapped);
    const list = this.byOwner.get(owner) ?? [];
    list.push([event, wrapped]);
    this.byOwner.set(owner, list);
  }

  /** Listeners registered now, over every event: a count that must not grow while the bridge runs. */
  listenerCount(): number {
    return this.emitter.eventNames().reduce((sum, event) => sum + this.emitter.listenerCount(event), 0);
  }

  removeListeners(owner: object): void {
    for (const [event, wrapped] of this.byOwner.get(owner) ?? []) this.emitter.off(event, wrapped);
    this.byOwner.delete(owner);
  }
}
