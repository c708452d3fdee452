/**
 * The port supervisor on its own: it lends each open channel to the link until the channel
 * closes, opens the port again, backs off while it is missing (logging that once), takes its
 * listeners off a closed channel, and stops promptly even with an open that never finishes.
 */
import { ChangeLog } from '../../src/serial/change-log';
import type { OpenChannel } from '../../src/serial/port-opener';
import { PortSupervisor } from '../../src/serial/port-supervisor';
import { type MemoryEnd, memoryChannelPair } from '../helpers/serial/memory-channel';
import { recordingLog, type RecordingLog } from '../helpers/logs';
import { delay, waitUntil } from '../helpers/ports';

interface Harness {
  supervisor: PortSupervisor;
  logs: RecordingLog;
  /** Channels handed to the link, in order. */
  attached: MemoryEnd[];
  detached: number;
  closedByOwner: number;
  opens: number;
}

const harnesses: Harness[] = [];

function harness(open: (attempt: number) => Promise<OpenChannel> | 'channel'): Harness {
  const logs = recordingLog();
  const h: Harness = { logs, attached: [], detached: 0, closedByOwner: 0, opens: 0, supervisor: undefined as never };
  h.supervisor = new PortSupervisor({
    path: '/dev/ttyFAKE-SUPERVISED',
    note: new ChangeLog(logs.log),
    log: logs.log,
    openChannel: async (path) => {
      const made = open(++h.opens);
      if (made !== 'channel') return made;
      const [host] = memoryChannelPair();
      return {
        channel: host,
        path,
        close: async () => {
          h.closedByOwner++;
          host.close();
        },
      };
    },
    attach: (opened) => {
      h.attached.push(opened.channel as MemoryEnd);
      return () => h.detached++;
    },
  });
  harnesses.push(h);
  return h;
}

const listeners = (end: MemoryEnd): number => end.listenerCount('close') + end.listenerCount('error');

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.supervisor.stop();
});

it('lends the open channel to the link, and after it closes takes its listeners off and opens the port again', async () => {
  const h = harness(() => 'channel');
  h.supervisor.start();
  await waitUntil(() => h.attached.length === 1, 'the first channel');
  const first = h.attached[0];
  expect(listeners(first)).toBe(2);
  first.close();
  await waitUntil(() => h.attached.length === 2, 'the port opened again');
  expect(h.detached).toBe(1);
  expect(listeners(first)).toBe(0);
  expect(h.closedByOwner).toBe(1);
  expect(h.logs.count(/open; waiting for the device/)).toBe(1);
});

it('retries a missing port with a growing backoff and says so once', async () => {
  const h = harness((attempt) => (attempt < 6 ? Promise.reject(new Error('ENOENT')) : 'channel'));
  const started = Date.now();
  h.supervisor.start();
  await waitUntil(() => h.attached.length === 1, 'the port once it is there', 5000);
  // 0.1 + 0.2 + 0.4 + 0.8 + 1.6 s between the six attempts: backing off, not polling.
  expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  expect(h.logs.count(/unavailable \(ENOENT\); retrying/)).toBe(1);
});

it('ends the conversation and closes the port when it stops', async () => {
  const h = harness(() => 'channel');
  h.supervisor.start();
  await waitUntil(() => h.attached.length === 1, 'the channel');
  await h.supervisor.stop();
  expect(h.detached).toBe(1);
  expect(h.closedByOwner).toBe(1);
  expect(listeners(h.attached[0])).toBe(0);
  await delay(300);
  expect(h.attached).toHaveLength(1);
});

it('stops within its limit when opening the port never finishes', async () => {
  const h = harness(() => new Promise<OpenChannel>(() => undefined));
  h.supervisor.start();
  await waitUntil(() => h.opens === 1, 'the attempt');
  const started = Date.now();
  // It gives the port its 2 s, then lets go (a hang would end in jest's timeout instead).
  await h.supervisor.stop();
  expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  expect(h.logs.count(/did not close within 2 s/)).toBe(1);
});
