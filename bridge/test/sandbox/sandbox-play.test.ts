/**
 * play(): the app's worker ticks on its own clock and sends each tick's outcome, as the scheduler
 * runs every installed app. Real worker threads and the probe app throughout.
 */
import { closeIdleWorkers, SandboxFault, workerReuse, type TickSink } from '../../src/sandbox';
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
  const drawn = (): Tick[] => ticks.filter((t) => t.frame !== null);
  return { ticks, failures, sink, until, drawn };
}

const blue = (t: Tick): number => pixel(t.frame!, 63, 31)[2];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A solid colour over the whole display, drawn by the probe in its next tick. */
const fill = ([r, g, b]: [number, number, number]): Uint8Array => encode(`blit|0|0|64|32|${r}|${g}|${b}`);
const AN_HOUR = 3_600_000;

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // The bridge's event loop held up, as by a long synchronous job.
  }
}

/** Generous: these tests look at what a fault is, not at how soon it comes (sandbox-lifecycle does). */
const LOOP_BUDGET_MS = 1000;

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
    // A new period: a tick at once (a reaction), then the worker's own. The probe paints its
    // tick's number: every frame is a copy of its own tick (a tick whose outcome TickCredit held
    // back on a busy machine goes with the next, so numbers may be skipped, never repeated).
    t.app.play(10, r.sink);
    await r.until('ten more ticks', () => r.ticks.length >= 12);
    expect(r.ticks.slice(2).map((tick) => tick.reaction)).toEqual([true, ...Array(r.ticks.length - 3).fill(false)]);
    const numbers = r.ticks.map(blue);
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
    expect(r.failures).toEqual([]);
    await expect(t.app.run()).rejects.toThrow('run() on an app that is playing');
  });

  it('nudges that arrive together are one tick, and its drawing comes at once', async () => {
    const t = await startProbe();
    const r = recorder();
    t.app.play(AN_HOUR, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    // Five data payloads, each with its nudge, as a burst of MQTT messages brings them.
    const colours: Array<[number, number, number]> = [
      [1, 0, 0],
      [2, 0, 0],
      [3, 0, 0],
      [4, 0, 0],
      [5, 0, 0],
    ];
    for (const colour of colours) {
      t.app.pushData(fill(colour));
      t.app.nudge();
    }
    await r.until('the last colour', () => r.drawn().some((tick) => pixel(tick.frame!, 0, 0)[0] === 5));
    await sleep(200);
    // One tick per nudge would be five; the worker merges what reaches it together (how many
    // reach it together depends on the threads' timing, so only "fewer" is certain).
    expect(r.ticks.length - 1).toBeLessThan(colours.length);
    expect(r.ticks.slice(1).every((tick) => tick.reaction)).toBe(true);
  });

  it('a tick that loops is stopped within its budget, and the sink hears of the fault once', async () => {
    const t = await startProbe({ limits: { runTimeoutMs: LOOP_BUDGET_MS } });
    const r = recorder();
    t.app.play(20, r.sink);
    await r.until('a few ticks', () => r.ticks.length >= 3);
    t.app.pushData(encode('loop'));
    await r.until('the fault', () => r.failures.length > 0);
    const fault = r.failures[0] as SandboxFault;
    expect(fault).toBeInstanceOf(SandboxFault);
    expect(fault.kind).toBe('timeout');
    expect(fault.message).toBe(`run() exceeded its ${LOOP_BUDGET_MS} ms time budget`);
    const ticks = r.ticks.length;
    await sleep(100);
    expect(r.failures).toHaveLength(1);
    expect(r.ticks).toHaveLength(ticks);
    await expect(t.app.run()).rejects.toBe(fault);
    // Played again, a dead app says so once, and does not tick.
    const again = recorder();
    t.app.play(20, again.sink);
    await again.until('the refusal', () => again.failures.length > 0);
    expect(again.failures).toEqual([fault]);
  });

  it('a nudged tick that loops is stopped within its budget though the period is an hour', async () => {
    const t = await startProbe({ limits: { runTimeoutMs: LOOP_BUDGET_MS } });
    const r = recorder();
    t.app.play(AN_HOUR, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    // Past the check play() armed: from here only the nudge tells the watchdog to look before
    // the hour is up.
    await sleep(LOOP_BUDGET_MS + 500);
    t.app.pushData(encode('loop'));
    t.app.nudge();
    await r.until('the fault', () => r.failures.length > 0, 10_000);
    expect((r.failures[0] as SandboxFault).kind).toBe('timeout');
  });

  it('a trap while playing is reported once, with its reason', async () => {
    const t = await startProbe();
    const r = recorder();
    t.app.play(AN_HOUR, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    t.app.pushData(encode('trap'));
    t.app.nudge();
    await r.until('the fault', () => r.failures.length > 0);
    await sleep(100);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ kind: 'trap', message: 'trapped: unreachable' });
  });

  it('close() while playing reports no fault, sends no tick once closed, and the thread is kept for the next app', async () => {
    await closeIdleWorkers();
    const t = await startProbe({ config: { paint: true } });
    const r = recorder();
    t.app.play(10, r.sink);
    await r.until('a few ticks', () => r.ticks.length >= 3);
    await t.app.close();
    const ticks = r.ticks.length;
    await sleep(100);
    expect(r.ticks).toHaveLength(ticks);
    expect(r.failures).toEqual([]);
    expect(workerReuse().idle).toBe(1);
    // Closed, it plays no more: play() says so once.
    const again = recorder();
    t.app.play(10, again.sink);
    await again.until('the refusal', () => again.failures.length > 0);
    expect((again.failures[0] as Error).message).toBe('the app was closed');
    expect(again.ticks).toEqual([]);
  });

  it('close() during a tick that loops ends the app without a fault report, and its thread goes', async () => {
    await closeIdleWorkers();
    const t = await startProbe({ limits: { runTimeoutMs: LOOP_BUDGET_MS } });
    const r = recorder();
    t.app.play(AN_HOUR, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    t.app.pushData(encode('loop'));
    t.app.nudge();
    await sleep(100);
    await t.app.close();
    expect(r.failures).toEqual([]);
    // A thread whose guest code may still be running is terminated, not kept.
    expect(workerReuse().idle).toBe(0);
  });

  it('play() while a run() is in flight is refused', async () => {
    const t = await startProbe();
    const running = t.app.run();
    expect(() => t.app.play(10, recorder().sink)).toThrow('play() on an app with a run() in flight');
    await running;
  });

  it(`a busy bridge finds few ticks queued (TickCredit: ${TickCredit.MAX_IN_FLIGHT} in flight), and a drawing held back meanwhile still arrives`, async () => {
    const t = await startProbe();
    const r = recorder();
    // Back to back: the worker ticks as fast as it can while this thread is held up.
    t.app.play(0, r.sink);
    await r.until('the first tick', () => r.ticks.length >= 1);
    busyWait(150);
    // The app draws once, in a tick that ends while the bridge is still held up, with the
    // worker's credit long used up by its ticks since: that drawing must not be lost.
    t.app.pushData(fill([9, 8, 7]));
    busyWait(150);
    const before = r.ticks.length;
    // What queued up while this thread was held is delivered before the next turn of its loop:
    // MAX_IN_FLIGHT, and what the worker sends while they are taken (the port keeps delivering
    // what arrives as it drains), not one for each of the worker's thousands of ticks meanwhile
    // (37,817 here with the credit check taken out).
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.ticks.length - before).toBeLessThan(1000);
    await r.until('the drawing', () => r.drawn().length > 0);
    expect(r.drawn()).toHaveLength(1);
    expect(pixel(r.drawn()[0]!.frame!, 10, 10)).toEqual([9, 8, 7]);
    expect(r.failures).toEqual([]);
  });

  it('a drawing held back by TickCredit goes out as soon as the bridge catches up, not with the next tick an hour later', async () => {
    const t = await startProbe();
    const r = recorder();
    t.app.play(AN_HOUR, r.sink);
    await r.until('the first tick', () => r.ticks.length === 1);
    // Three nudged ticks while this thread is held: the first two use the credit, the third's
    // drawing (the last colour) is held back.
    for (const colour of [1, 2, 3]) {
      t.app.pushData(fill([colour, 0, 0]));
      t.app.nudge();
      busyWait(100);
    }
    await r.until('the last colour', () => r.drawn().some((tick) => pixel(tick.frame!, 0, 0)[0] === 3), 10_000);
    expect(r.failures).toEqual([]);
  });
});
