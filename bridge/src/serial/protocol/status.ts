/** Names for STATUS's counter list (docs/serial-protocol.md §3). */
import { STATUS_COUNTERS } from './constants';

export type StatusCounterName = (typeof STATUS_COUNTERS)[number];

/** Counters a device did not send (an older firmware) are absent; extra ones are ignored. */
export function namedCounters(counters: readonly number[]): Partial<Record<StatusCounterName, number>> {
  const named: Partial<Record<StatusCounterName, number>> = {};
  STATUS_COUNTERS.forEach((name, i) => {
    if (i < counters.length) named[name] = counters[i];
  });
  return named;
}
