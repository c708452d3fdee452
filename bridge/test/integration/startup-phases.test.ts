/**
 * The bridge process says how it started: at debug level, one line with each phase (Node's start,
 * module load, settings, each part's start) and the moments of the first frame composed, published
 * and drawn, which `npm run bench` reads. Times are not judged here (the bench's job); that every
 * phase is there, in a sane order, is.
 */
import { RunningBridge } from '../helpers/bridge-process';
import { waitUntil } from '../helpers/ports';

jest.setTimeout(60_000);

let bridge: RunningBridge | undefined;
afterEach(async () => {
  await bridge?.dispose();
  bridge = undefined;
});

function startupLine(output: string): Record<string, number> | undefined {
  const match = /start-up \(ms\): (\{.*\})$/m.exec(output);
  return match ? (JSON.parse(match[1]) as Record<string, number>) : undefined;
}

describe('start-up phases', () => {
  it('are logged once, with every part, once an app has drawn its first frame', async () => {
    bridge = await RunningBridge.start({ apps: ['clock'] });
    await waitUntil(() => startupLine(bridge!.output) !== undefined, 'the start-up line', 20_000);
    const phases = startupLine(bridge.output)!;
    expect(Object.keys(phases)).toEqual(
      expect.arrayContaining([
        'node',
        'module load',
        'settings',
        'build parts',
        'broker',
        'device',
        'mqtt connect',
        'http',
        'first compose',
        'first frame',
        'first drawn frame',
      ]),
    );
    for (const ms of Object.values(phases)) expect(ms).toBeGreaterThanOrEqual(0);
    // Moments count from the process start; the drawn frame cannot come before the blank one.
    expect(phases['first compose']).toBeGreaterThanOrEqual(phases.node + phases['module load']);
    expect(phases['first drawn frame']).toBeGreaterThanOrEqual(phases['first compose']);
    expect(bridge.output.match(/start-up \(ms\)/g)).toHaveLength(1);
  });

  it('are logged when the bridge stops, with what came, when no app ever draws', async () => {
    bridge = await RunningBridge.start();
    expect(startupLine(bridge.output)).toBeUndefined();
    await bridge.stop();
    const phases = startupLine(bridge.output)!;
    expect(phases).toMatchObject({ 'first compose': expect.any(Number) });
    expect(phases['first drawn frame']).toBeUndefined();
  });
});
