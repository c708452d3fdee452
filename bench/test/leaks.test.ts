/**
 * The leak test (issue 21): the soak run itself (../soak.ts), cut to a warm-up and three measured
 * cycles. The real bridge with its example apps on Debian's mosquitto and the firmware in qemu,
 * through the soak schedule (lib/soak-schedule.ts: fast rotation, notifications with dismisses,
 * an app removed and reinstalled, config and data pushes, Home Assistant's birth, page visitors
 * on /mqtt, a broker restart, a serial link cut). After each cycle, once the bridge is quiet, its
 * exact counts (bus and MQTT client listeners, handles, timers, file descriptors, app workers)
 * are asked over its IPC channel; from the first measured cycle on they must be the same every
 * time. Memory is not tested here: it is not exact (the soak run plots it and judges its trend).
 *
 * It lives beside the soak because it is the soak: the bench and this test run the one schedule
 * and the one way of reading the counts, and the bench sees the bridge only through
 * `megabit-bridge` (the bridge's public API) and its topics.
 */
import { MIN_CYCLES, measureSoak, type SoakSample } from '../soak';
import { EXACT_COUNTS, type ExactCount } from '../lib/soak-counts';

jest.setTimeout(420_000);

const MEASURED = 3;
type Exact = Record<ExactCount, number>;
const exact = (c: SoakSample): Exact => Object.fromEntries(EXACT_COUNTS.map((k) => [k, c[k]])) as Exact;

describe('leaks: the soak, a warm-up and three measured cycles', () => {
  it('comes back to the same listeners, handles, timers, descriptors and workers after every cycle, serial link cuts included', async () => {
    const result = await measureSoak({ minutes: 0, cycles: 1 + MEASURED, serial: true, progress: (line) => console.log(line) });
    expect(result.failures).toEqual([]);
    expect(result.cycles).toBe(1 + MEASURED);
    const first = result.cycle_ends[0];
    // The counts answered over IPC, a collection first: the channel works and counts something.
    expect(first.afterGc).toBe(true);
    expect(first.busListeners).toBeGreaterThan(0);
    expect(first.mqttClientListeners).toBeGreaterThan(0);
    expect(first.workers).toBeGreaterThanOrEqual(1);
    expect(first.fds).toBeGreaterThan(3);
    // Cycle 0 warms up: caches, the first install, lazily started parts.
    const [, ...measured] = result.cycle_ends;
    for (const counts of measured) expect(exact(counts)).toEqual(exact(measured[0]));
    // App threads are reused (sandbox/worker-pool.ts): rotation starts an app every second, about
    // ten a cycle, and a thread per start was what grew the RSS for minutes (docs/performance.md
    // section 10). One new thread a cycle is allowed for an app that faulted on a loaded machine.
    expect(measured.at(-1)!.workersStarted - first.workersStarted).toBeLessThanOrEqual(MEASURED);
  });

  it(`refuses fewer than ${MIN_CYCLES} cycles, before starting anything`, async () => {
    await expect(measureSoak({ minutes: 0, cycles: 2, serial: false })).rejects.toThrow(`a soak needs at least ${MIN_CYCLES} cycles, not 2`);
  });
});
