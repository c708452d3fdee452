/**
 * App worker threads are reused (worker-pool.ts): a thread whose app closed cleanly hosts the next
 * app. These tests prove the reuse happens (no new thread), that the next app sees nothing of the
 * last one, and that a thread whose app faulted or would not close is never reused.
 */
import { closeIdleWorkers, workerReuse } from '../../src/sandbox';
import { liveWorkerCount, startedWorkerCount } from '../../src/sandbox/worker-script';
import { command, encode, manifest, useProbeSandbox } from '../helpers/sandbox/harness';

const { startProbe } = useProbeSandbox();

beforeEach(async () => {
  // Each test starts from no idle thread, so its counts say what it did.
  await closeIdleWorkers();
});

afterAll(async () => {
  await closeIdleWorkers();
});

it('a worker whose app closed hosts the next app: no new thread is started', async () => {
  const a = await startProbe();
  await command(a, 'log|1|a');
  const started = startedWorkerCount();
  const reused = workerReuse().reused;
  await a.app.close();
  expect(workerReuse().idle).toBe(1);

  const b = await startProbe();
  expect(await command(b, 'log|1|b')).toEqual(['b']);
  expect(startedWorkerCount()).toBe(started);
  expect(workerReuse().reused).toBe(reused + 1);
  expect(workerReuse().idle).toBe(0);
});

it('the next app in the same worker sees nothing of the last one: config, KV, grants, inbox, buttons, Wasm state', async () => {
  const a = await startProbe({
    config: { secret: 'A-SECRET', trace: true },
    manifest: manifest({ id: 'app-a', permissions: { mqtt: ['home/a'], homeassistant: ['sensor.a'] } }),
    homeAssistantAccess: ['sensor.a'],
  });
  a.app.setMqttValue('home/a', encode('A-SECRET-mqtt'));
  a.app.setHomeAssistantState('sensor.a', { state: 'A-SECRET-ha', attributes: {} });
  expect(await command(a, 'set|key|A-SECRET-kv', 'mqtt|home/a', 'ha|sensor.a')).toEqual([
    'run 1',
    'set 0',
    'mqtt {"ok":true,"value":"A-SECRET-mqtt"}',
    expect.stringContaining('A-SECRET-ha'),
  ]);
  await command(a, 'log|1|tick');
  // Left for A and never taken: an inbox payload and a button press.
  a.app.pushData(encode('log|1|A-SECRET-inbox'));
  a.app.pushButton({ button: 'main', action: 'press' });
  const started = startedWorkerCount();
  await a.app.close();
  // Anything sent to A after its close goes nowhere, least of all to B.
  a.app.pushData(encode('log|1|A-SECRET-late'));

  const b = await startProbe({ config: { trace: true }, manifest: manifest({ id: 'app-b' }) });
  expect(startedWorkerCount()).toBe(started);
  b.app.setMqttValue('home/a', encode('B-value'));
  b.app.setHomeAssistantState('sensor.a', { state: 'B-value', attributes: {} });
  const said = await command(b, 'get|key', 'config', 'mqtt|home/a', 'ha|sensor.a');
  // Fresh Wasm instance (its globals from zero), its own config, an empty KV store, no grant of A's.
  expect(b.messages()[0]).toBe('setup ticks=0');
  expect(said[0]).toBe('run 1');
  expect(said[1]).toBe('get <none>');
  expect(said[2]).toBe('config {"trace":true}');
  // B has no grant for what A was allowed to read: refused, as for any app without the permission.
  expect(said[3]).toMatch(/^mqtt \{"ok":false/);
  expect(said[4]).toMatch(/^ha \{"ok":false/);
  expect(said[3]).not.toContain('B-value');
  expect(said[4]).not.toContain('B-value');
  expect(said).toHaveLength(5);
  expect(b.messages().join('\n')).not.toContain('A-SECRET');
  expect(a.messages().join('\n')).not.toContain('A-SECRET-inbox');
});

it.each([
  ['trapped', 'trap'],
  ['ran past its time budget', 'loop'],
])('a worker whose app %s is terminated, never reused', async (_what, line) => {
  const a = await startProbe({ limits: { runTimeoutMs: 300 } });
  await expect(command(a, line)).rejects.toMatchObject({ kind: line === 'loop' ? 'timeout' : 'trap' });
  await a.app.close();
  expect(workerReuse().idle).toBe(0);
  const started = startedWorkerCount();
  const b = await startProbe();
  expect(await command(b, 'log|1|b')).toEqual(['b']);
  expect(startedWorkerCount()).toBe(started + 1);
});

it('a worker closed while its app loops in run() is terminated, never reused', async () => {
  const a = await startProbe({ limits: { runTimeoutMs: 500 } });
  const run = command(a, 'loop');
  await a.app.close();
  await expect(run).resolves.toEqual([]);
  expect(workerReuse().idle).toBe(0);
});

it('two idle workers are kept: of three apps closed together, one worker is terminated', async () => {
  const apps = await Promise.all([startProbe(), startProbe(), startProbe()]);
  const live = liveWorkerCount();
  await Promise.all(apps.map((t) => t.app.close()));
  expect(workerReuse().idle).toBe(2);
  await until(() => liveWorkerCount() === live - 1);
  const started = startedWorkerCount();
  await startProbe();
  expect(workerReuse().idle).toBe(1);
  expect(startedWorkerCount()).toBe(started);
});

/** Waits for a thread's exit event to be counted (terminate() resolves before 'exit' is emitted). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
}
