/**
 * The start-up timeline: each phase's duration and the first frames' moments, from an injected
 * clock, logged once at debug level as one line the bench reads; a part sequence given the
 * timeline times each part's start; the frame watcher tells a blank first frame from a drawn one.
 * The real bridge process logging the line is tested in integration/startup-phases.test.ts.
 */
import { PartSequence } from '../src/part';
import { frameMilestones, StartupTimeline } from '../src/startup-timeline';
import { recordingLog } from './helpers/logs';

/** A clock the test moves by hand; Node finished its own start at 30 ms. */
function manualClock(startAt = 100) {
  let now = startAt;
  return { now: () => now, nodeReady: () => 30, advance: (ms: number) => (now += ms) };
}

const summaryOf = (line: string): Record<string, number> => JSON.parse(line.replace(/^start-up \(ms\): /, '')) as Record<string, number>;

describe('StartupTimeline', () => {
  it("splits the time before the bridge's code runs into Node's start and loading the modules", () => {
    const clock = manualClock();
    const timeline = new StartupTimeline(recordingLog(), 100, clock);
    expect(timeline.summary()).toEqual({ node: 30, 'module load': 70 });
  });

  it('times phases, counts a phase that throws, and marks each moment once, from the process start', async () => {
    const clock = manualClock();
    const timeline = new StartupTimeline(recordingLog(), 100, clock);
    timeline.recordPhase('settings', 100, 112.34);
    clock.advance(12.34);
    await timeline.phase('broker', () => {
      clock.advance(40);
    });
    await expect(
      timeline.phase('device', async () => {
        clock.advance(5);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    clock.advance(3);
    timeline.reached('first compose');
    clock.advance(10);
    timeline.reached('first compose');
    expect(timeline.summary()).toEqual({ node: 30, 'module load': 70, settings: 12.3, broker: 40, device: 5, 'first compose': 160.3 });
  });

  it('logs one line at debug level when the last moment comes, and nothing more after', () => {
    const log = recordingLog();
    const clock = manualClock();
    const timeline = new StartupTimeline(log, 100, clock);
    timeline.reached('first compose');
    timeline.reached('first frame');
    expect(log.lines).toEqual([]);
    clock.advance(50);
    timeline.reached('first drawn frame');
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].level).toBe('debug');
    expect(summaryOf(log.lines[0].message)).toEqual({ node: 30, 'module load': 70, 'first compose': 100, 'first frame': 100, 'first drawn frame': 150 });
    timeline.flush();
    expect(log.lines).toHaveLength(1);
  });

  it('logs what it has when flushed before every moment came (a bridge with no app stops)', () => {
    const log = recordingLog();
    const timeline = new StartupTimeline(log, 100, manualClock());
    timeline.reached('first compose');
    timeline.flush();
    timeline.flush();
    expect(log.lines.map((l) => summaryOf(l.message))).toEqual([{ node: 30, 'module load': 70, 'first compose': 100 }]);
  });

  it("leaves performance marks and measures under megabit: names, for a profile's timeline", () => {
    const timeline = new StartupTimeline(recordingLog(), 100, manualClock());
    timeline.reached('first frame');
    expect(performance.getEntriesByName('megabit:module load', 'measure').at(-1)).toMatchObject({ startTime: 30, duration: 70 });
    expect(performance.getEntriesByName('megabit:first frame', 'mark').at(-1)).toMatchObject({ startTime: 100 });
  });
});

describe('the frame watcher', () => {
  it('marks the first frame composed, and the first drawn one only when a pixel is lit', () => {
    const clock = manualClock();
    const timeline = new StartupTimeline(recordingLog(), 100, clock);
    const output = frameMilestones(timeline);
    output.showFrame(new Uint8Array(6144));
    clock.advance(20);
    output.showFrame(new Uint8Array(6144));
    const lit = new Uint8Array(6144);
    lit[3000] = 1;
    output.showFrame(lit);
    clock.advance(20);
    output.showFrame(lit);
    expect(timeline.summary()).toMatchObject({ 'first compose': 100, 'first drawn frame': 120 });
  });
});

describe('PartSequence with a timeline', () => {
  it("records each part's start as a phase under the part's name", async () => {
    const clock = manualClock();
    const timeline = new StartupTimeline(recordingLog(), 100, clock);
    const log = recordingLog();
    const part = (name: string, ms: number) => ({ name, start: () => void clock.advance(ms), stop: () => undefined });
    const sequence = new PartSequence(log, timeline);
    await sequence.start([part('broker', 25), part('device', 60)]);
    expect(timeline.summary()).toMatchObject({ broker: 25, device: 60 });
    await sequence.stop();
  });
});
