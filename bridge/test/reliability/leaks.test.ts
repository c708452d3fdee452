/**
 * The leak test (issue 21): the real bridge process, with its example apps, on Debian's mosquitto,
 * through three cycles of the soak schedule (bench/lib/soak-schedule.ts: fast rotation,
 * notifications with dismisses, an app removed and reinstalled, config and data pushes, Home
 * Assistant's birth, page visitors on /mqtt, a broker restart). After each cycle, once the bridge
 * is quiet, its exact counts (bus and MQTT client listeners, handles, timers, file descriptors,
 * app workers) are asked over its IPC channel; from the first cycle on they must be the same
 * every time. Memory is not counted here: it is not exact (the soak run plots it).
 */
import { EXACT_COUNTS, type ExactCount, settledCounts } from '../../../bench/lib/soak-counts';
import { type CycleReport, RESTING_APP, runSoakCycle, SoakClient } from '../../../bench/lib/soak-schedule';
import type { ResourceCounts } from '../../src/diagnostics/resource-counts';
import { exampleInstall, type RunningBridge, startBridge } from '../helpers/bridge-process';
import { Mosquitto } from '../helpers/mosquitto';

jest.setTimeout(240_000);

const CYCLES = 3;
const APPS = ['board', 'clock', 'life', 'plasma', 'scroll', 'sensor'];
type Exact = Record<ExactCount, number>;
const exact = (c: ResourceCounts): Exact => Object.fromEntries(EXACT_COUNTS.map((k) => [k, c[k]])) as Exact;

describe('leaks: the soak schedule three times', () => {
  let broker: Mosquitto;
  let bridge: RunningBridge;
  let client: SoakClient;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    bridge = await startBridge({
      mqttUrl: broker.url,
      apps: APPS,
      diagnostics: true,
      settings: { log_level: 'info', rotation: { enabled: true, default_duration_ms: 1000, fallback: RESTING_APP } },
    });
    client = await SoakClient.connect(broker.url, bridge.topics);
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    await broker?.dispose();
  });

  it('answers counts over its IPC channel, a collection first when asked', async () => {
    const counts = await bridge.counts({ gc: true });
    expect(counts.afterGc).toBe(true);
    expect(counts.busListeners).toBeGreaterThan(0);
    expect(counts.mqttClientListeners).toBeGreaterThan(0);
    expect(counts.workers).toBeGreaterThanOrEqual(1);
    expect(counts.fds).toBeGreaterThan(3);
  });

  it(`comes back to the same listeners, handles, timers, descriptors and workers after each of ${CYCLES} cycles`, async () => {
    const target = {
      brokerUrl: broker.url,
      topics: bridge.topics,
      httpUrl: bridge.httpUrl,
      churnApp: exampleInstall('life') as { manifest: Record<string, unknown> & { id: string }; wasm: string },
      restartBroker: () => broker.restart(200, 'SIGKILL'),
    };
    const after: ResourceCounts[] = [];
    const reports: CycleReport[] = [];
    // Cycle 0 warms up: caches, the first install, lazily started parts.
    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const started = Date.now();
      reports.push(await runSoakCycle(target, client, cycle));
      after.push(await settledCounts((gc) => bridge.counts({ gc })));
      console.log(`cycle ${cycle}: ${reports[cycle].commands} commands in ${Date.now() - started} ms; ${JSON.stringify(after[cycle])}`);
    }
    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    expect(bridge.running).toBe(true);
    const [, ...measured] = after;
    for (const counts of measured) expect(exact(counts)).toEqual(exact(measured[0]));
  });
});
