/**
 * Reads what the broker holds retained under a topic filter: subscribe, wait for the retained
 * messages the broker sends straight after the subscription, unsubscribe. Used to find discovery
 * configs left from an earlier run.
 */
import type { MessageHandler } from '../mqtt/connection';

export interface Subscriber {
  subscribe(filter: string, handler: MessageHandler): void;
  unsubscribe(filter: string, handler: MessageHandler): void;
}

/** How long retained configs are collected: a broker delivers them right after SUBACK. */
export const COLLECT_MS = 1500;

/** Topic → payload of every non-empty retained message under `filter`; `signal` ends the wait early. */
export function collectRetained(subscriber: Subscriber, filter: string, ms: number = COLLECT_MS, signal?: AbortSignal): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const handler: MessageHandler = (topic, payload) => {
    if (payload.length === 0) found.delete(topic);
    else found.set(topic, payload.toString());
  };
  subscriber.subscribe(filter, handler);
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      subscriber.unsubscribe(filter, handler);
      resolve(found);
    };
    const timer = setTimeout(finish, ms);
    signal?.addEventListener('abort', finish);
  });
}
