/**
 * RunPacer: play() over run() on the bridge's own event loop (screens, the scheduler's test
 * doubles), with jest's fake clock and runs the test finishes by hand.
 */
import { RunPacer } from '../../src/sandbox/run-pacer';
import type { TickSink } from '../../src/sandbox/types';

/** run() calls the test answers one by one. */
function manualRuns() {
  const calls: Array<{ resolve(frame: Uint8Array | null): void; reject(e: unknown): void }> = [];
  const run = () => new Promise<Uint8Array | null>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, run };
}

function recordingSink() {
  const ran: boolean[] = [];
  const failed: unknown[] = [];
  const sink: TickSink = { ran: (_frame, reaction) => ran.push(reaction), failed: (e) => failed.push(e) };
  return { ran, failed, sink };
}

/** A pacer over manual runs, playing at `periodMs` into a recording sink. */
function playing(periodMs: number) {
  const runs = manualRuns();
  const out = recordingSink();
  const pacer = new RunPacer(runs.run);
  pacer.play(periodMs, out.sink);
  return { runs, out, pacer };
}

const FRAME = new Uint8Array(6144);
/** Lets the promise callbacks of a settled run go through. */
const settle = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('RunPacer', () => {
  it('ticks at once (a reaction), then a period after each tick began', async () => {
    const { runs, out, pacer } = playing(1000);
    expect(runs.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(300);
    runs.calls[0]!.resolve(FRAME);
    await settle();
    expect(out.ran).toEqual([true]);
    await jest.advanceTimersByTimeAsync(699);
    expect(runs.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs.calls).toHaveLength(2);
    runs.calls[1]!.resolve(null);
    await settle();
    expect(out.ran).toEqual([true, false]);
    pacer.stop();
  });

  it('nudges during a tick make one more tick right after it, however many came', async () => {
    const { runs, out, pacer } = playing(60_000);
    pacer.nudge();
    pacer.nudge();
    pacer.nudge();
    expect(runs.calls).toHaveLength(1);
    runs.calls[0]!.resolve(FRAME);
    await settle();
    expect(runs.calls).toHaveLength(2);
    runs.calls[1]!.resolve(FRAME);
    await settle();
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs.calls).toHaveLength(2);
    expect(out.ran).toEqual([true, true]);
    pacer.stop();
  });

  it('setPeriod applies from the tick in progress on (a screen that starts moving)', async () => {
    const { runs, pacer } = playing(60_000);
    pacer.setPeriod(100);
    runs.calls[0]!.resolve(FRAME);
    await settle();
    await jest.advanceTimersByTimeAsync(100);
    expect(runs.calls).toHaveLength(2);
    pacer.stop();
  });

  it('a run that fails is reported once, and no tick follows', async () => {
    const { runs, out, pacer } = playing(10);
    const fault = new Error('trapped');
    runs.calls[0]!.reject(fault);
    await settle();
    pacer.nudge();
    await jest.advanceTimersByTimeAsync(1000);
    expect(out.failed).toEqual([fault]);
    expect(out.ran).toEqual([]);
    expect(runs.calls).toHaveLength(1);
  });

  it('stop() during a tick drops its outcome, and no tick follows', async () => {
    const { runs, out, pacer } = playing(10);
    pacer.stop();
    runs.calls[0]!.resolve(FRAME);
    await jest.advanceTimersByTimeAsync(1000);
    expect(out.ran).toEqual([]);
    expect(out.failed).toEqual([]);
    expect(runs.calls).toHaveLength(1);
  });

  it('a receiver that throws on a frame fails the instance once, as the scheduler’s own loop did', async () => {
    const runs = manualRuns();
    const failed: unknown[] = [];
    const broken = new Error('compositor gone');
    const pacer = new RunPacer(runs.run);
    pacer.play(10, {
      ran: () => {
        throw broken;
      },
      failed: (e) => failed.push(e),
    });
    runs.calls[0]!.resolve(FRAME);
    await jest.advanceTimersByTimeAsync(1000);
    expect(failed).toEqual([broken]);
    expect(runs.calls).toHaveLength(1);
  });
});
