/**
 * play(): the app's worker ticks on its own clock and sends each tick's outcome, as the scheduler
 * runs every installed app. Real worker threads and the probe app throughout.
 */
import { SandboxFault, workerReuse, type TickSink } from '../../src/sandbox';
import { TickCredit } from '../../src/sandbox/protocol';
import { encode, pixel, useProbeSandbox } from '../helpers/sandbox/harness';

const { startProbe } = useProbeSandbox();

interface Tick {
  frame: Uint8Array | null;
  reaction: boolean;
}

/** A sink that records every tick and failure, and waits for them. */
function recorder() {
  const ticks: Tick[] = [];
  const failures: unknown[] = [];
  const sink: TickSink = {
    ran: (frame, reaction) => ticks.push({ frame, reaction }),
    failed: (fault) => failures.push(fault),
  };
  async function until(what: string, done: () => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return { ticks, failures, sink, until };
}

const blue = (t: Tick): number => pixel(t.frame!, 63, 31)[2];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // The bridge's event loop held up, as by a long synchronous job.
  }
}

describe('play', () => {
  it('ticks at once, then on its own period; a nudge ticks now; each frame is its own tick’s', async () => {
    const t = await startProbe({ config: { paint: true } });
    const r = recorder();
    t.app.play(60_000, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    expect(r.ticks[0]).toMatchObject({ reaction: true });
    expect(blue(r.ticks[0]!)).toBe(1);
    // The next tick is a minute away: none comes in the meantime.
    await sleep(300);
    expect(r.ticks).toHaveLength(1);
    t.app.nudge();
    await r.until('the nudged tick', () => r.ticks.length === 2);
    expect(r.ticks[1]).toMatchObject({ reaction: true });
    expect(blue(r.ticks[1]!)).toBe(2);
    // A new period: a tick at once (a reaction), then the worker's own, each with its own picture.
    t.app.play(10, r.sink);
    await r.until('ten more ticks', () => r.ticks.length >= 12);
    expect(r.ticks.slice(2).map((tick) => tick.reaction)).toEqual([true, ...Array(r.ticks.length - 3).fill(false)]);
    expect(r.ticks.map(blue)).toEqual(r.ticks.map((_, i) => i + 1));
    expect(r.failures).toEqual([]);
    await expect(t.app.run()).rejects.toThrow('run() on an app that is playing');
  });

  it('a tick that loops is stopped within its budget, and the sink hears of the fault once', async () => {
    const t = await startProbe({ limits: { runTimeoutMs: 250 } });
    const r = recorder();
    t.app.play(20, r.sink);
    await r.until('a few ticks', () => r.ticks.length >= 3);
    t.app.pushData(encode('loop'));
    await r.until('the fault', () => r.failures.length > 0);
    const fault = r.failures[0] as SandboxFault;
    expect(fault).toBeInstanceOf(SandboxFault);
    expect(fault.kind).toBe('timeout');
    expect(fault.message).toBe('run() exceeded its 250 ms time budget');
    const ticks = r.ticks.length;
    await sleep(100);
    expect(r.failures).toHaveLength(1);
    expect(r.ticks).toHaveLength(ticks);
    await expect(t.app.run()).rejects.toBe(fault);
  });

  it('a nudged tick that loops is stopped within its budget though the period is an hour', async () => {
    // Without the nudge arming the watchdog, the loop would be found an hour and a budget later.
    const t = await startProbe({ limits: { runTimeoutMs: 250 } });
    const r = recorder();
    t.app.play(3_600_000, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    t.app.pushData(encode('loop'));
    t.app.nudge();
    await r.until('the fault', () => r.failures.length > 0, 10_000);
    expect((r.failures[0] as SandboxFault).kind).toBe('timeout');
  });

  it('close() while playing reports no fault, sends no tick after it, and the thread serves the next app', async () => {
    const t = await startProbe({ config: { paint: true } });
    const r = recorder();
    t.app.play(10, r.sink);
    await r.until('a few ticks', () => r.ticks.length >= 3);
    await t.app.close();
    const ticks = r.ticks.length;
    await sleep(100);
    expect(r.ticks).toHaveLength(ticks);
    expect(r.failures).toEqual([]);
    const reused = workerReuse().reused;
    const next = await startProbe();
    expect(workerReuse().reused).toBe(reused + 1);
    await next.app.close();
  });

  it(`a busy bridge finds at most ${TickCredit.MAX_IN_FLIGHT} ticks queued, and a drawing held back meanwhile still arrives`, async () => {
    const t = await startProbe();
    const r = recorder();
    // Back to back: the worker ticks as fast as it can while this thread is held up.
    t.app.play(0, r.sink);
    await r.until('the first tick', () => r.ticks.length >= 1);
    busyWait(150);
    // The app draws once, in a tick that ends while the bridge is still held up, with the
    // worker's credit long used up by its ticks since: that drawing must not be lost.
    t.app.pushData(encode('blit|0|0|64|32|9|8|7'));
    busyWait(150);
    const before = r.ticks.length;
    // What queued up while this thread was held is delivered before the next turn of its loop:
    // MAX_IN_FLIGHT, and the few the worker may send while they are taken (the port keeps
    // delivering what arrives as it drains), not one for each of the worker's thousands of ticks
    // meanwhile (37,817 here with the credit check taken out).
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.ticks.length - before).toBeLessThan(TickCredit.MAX_IN_FLIGHT + 50);
    await r.until('the drawing', () => r.ticks.some((tick) => tick.frame !== null));
    const drawn = r.ticks.filter((tick) => tick.frame !== null);
    expect(drawn).toHaveLength(1);
    expect(pixel(drawn[0]!.frame!, 10, 10)).toEqual([9, 8, 7]);
    expect(r.failures).toEqual([]);
  });
});
