/**
 * The scheduler's rotation and fault handling, with scripted app instances at the sandbox
 * boundary (the real sandbox is exercised in test/sandbox and the integration suite).
 */
import type { AppManifest } from '@megabit/contract';
import { AppFailedError, PreviewRunningError, UnknownAppError } from '../../src/errors';
import { RunPacer } from '../../src/sandbox/run-pacer';
import { SandboxFault, type AppInstance, type SandboxOptions, type TickSink } from '../../src/sandbox/types';
import { Scheduler, type SchedulableApp } from '../../src/scheduler/scheduler';
import { createLogger } from '../../src/util/logger';

type Behaviour = 'draw' | 'loop-fault' | 'load-fault' | 'slow-close' | 'slow-start';

class ScriptedInstance implements AppInstance {
  runs = 0;
  closed = false;
  buttons: string[] = [];
  /** Paced on the main thread, as a screen is (the sandbox's worker-side pacing is tested in test/sandbox). */
  private readonly pacer = new RunPacer(() => this.run());
  constructor(
    readonly id: string,
    private readonly behaviour: Behaviour,
  ) {}
  play(periodMs: number, sink: TickSink): void {
    this.pacer.play(periodMs, sink);
  }
  nudge(): void {
    this.pacer.nudge();
  }
  async run(): Promise<Uint8Array | null> {
    this.runs++;
    if (this.behaviour === 'loop-fault') throw new SandboxFault('timeout', 'run() exceeded its 250 ms time budget');
    return new Uint8Array(6144).fill(this.id.charCodeAt(0));
  }
  pushData(): void {}
  pushButton(e: { action: string }): void {
    this.buttons.push(e.action);
  }
  setConfig(): void {}
  setMqttValue(): void {}
  setHomeAssistantState(): void {}
  async close(): Promise<void> {
    this.pacer.stop();
    if (this.behaviour === 'slow-close') await new Promise((resolve) => setTimeout(resolve, 500));
    this.closed = true;
  }
}

function app(id: string, extra: Partial<AppManifest> = {}, enabled = true): SchedulableApp {
  return {
    id,
    enabled,
    kvFile: `/tmp/${id}.json`,
    manifest: { id, name: id, version: '1.0.0', bin: `${id}.wasm`, refresh_period_ms: 100, ...extra },
    loadWasm: () => new Uint8Array(8),
    config: () => ({}),
  };
}

function setup(behaviours: Record<string, Behaviour> = {}, rotation = true) {
  const instances: ScriptedInstance[] = [];
  const frames: number[] = [];
  /** Per frame: whether it answers an event (a reaction) rather than the app's own refresh. */
  const reactions: boolean[] = [];
  /** Each onShown call: the app id and which of `instances` it handed over. */
  const shown: Array<[string, number]> = [];
  let changes = 0;
  const scheduler = new Scheduler(
    {
      defaultDurationMs: 1000,
      rotation,
      kvQuotaBytes: () => 1024,
      sandbox: { limits: { runTimeoutMs: 250, setupTimeoutMs: 1000, memoryBytes: 1 << 24, logLinesPerSecond: 10 }, timeZone: 'UTC' },
      startApp: async (o: SandboxOptions) => {
        const behaviour = behaviours[o.manifest.id] ?? 'draw';
        if (behaviour === 'load-fault') throw new SandboxFault('load', 'not a Wasm module');
        if (behaviour === 'slow-start') await new Promise((resolve) => setTimeout(resolve, 500));
        const instance = new ScriptedInstance(o.manifest.id, behaviour);
        instances.push(instance);
        return instance;
      },
      onFrame: (frame, reaction) => {
        frames.push(frame[0]);
        reactions.push(reaction);
      },
      onChange: () => changes++,
      onLog: () => undefined,
      onShown: (id, instance) => shown.push([id, instances.indexOf(instance as ScriptedInstance)]),
    },
    createLogger('error'),
  );
  return { scheduler, instances, frames, reactions, shown, changes: () => changes };
}

async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('Scheduler', () => {
  it('shows the app asked for even when the first app was shown as a fallback while the previous one closed', async () => {
    const { scheduler } = setup({ a: 'slow-close', b: 'slow-close' }, false);
    const apps = [app('a'), app('b'), app('c')];
    scheduler.setApps(apps);
    scheduler.start();
    await advance(50);
    scheduler.showApp('c');
    // "a" takes 500 ms to close; meanwhile the app list is set again and, nothing showing,
    // the scheduler falls back to the first app.
    await advance(100);
    scheduler.setApps(apps);
    await advance(2000);
    expect(scheduler.currentAppId).toBe('c');
  });

  it('does not show a preview that ended while the app before it was still closing', async () => {
    const { scheduler, instances } = setup({ a: 'slow-close' });
    scheduler.setApps([app('a'), app('b')]);
    scheduler.start();
    await advance(50);
    expect(scheduler.currentAppId).toBe('a');
    scheduler.startPreview(app('p'));
    await advance(100);
    // Still closing "a" for the preview when the preview ends.
    expect(scheduler.endPreview()).toBe(true);
    await advance(2000);
    expect(scheduler.endPreview()).toBe(false);
    // The rotation goes on; the ended preview never starts.
    expect(['a', 'b']).toContain(scheduler.currentAppId);
    expect(instances.map((i) => i.id)).not.toContain('p');
  });

  it('hands over only a sandbox that becomes the shown one, not one switched away from while it started', async () => {
    const { scheduler, instances, shown } = setup({ a: 'slow-start' }, false);
    scheduler.setApps([app('a'), app('b')]);
    scheduler.start();
    await advance(100);
    scheduler.showApp('b');
    await advance(1000);
    expect(instances.map((i) => [i.id, i.closed])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(shown).toEqual([['b', 1]]);
    scheduler.showApp('a');
    await advance(1000);
    expect(shown).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(instances[2].runs).toBeGreaterThan(0);
  });

  it('ticks the shown app at its refresh period and hands on its frames', async () => {
    const { scheduler, frames } = setup();
    scheduler.setApps([app('a')]);
    scheduler.start();
    await advance(450);
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(frames.length).toBeLessThanOrEqual(6);
    expect(new Set(frames)).toEqual(new Set(['a'.charCodeAt(0)]));
    await scheduler.stop();
  });

  it("rotates by each app's dwell time, skipping disabled apps", async () => {
    const { scheduler } = setup();
    scheduler.setApps([app('a', { duration_ms: 2000 }), app('b', {}, false), app('c')]);
    scheduler.start();
    await advance(10);
    expect(scheduler.currentAppId).toBe('a');
    await advance(1900);
    expect(scheduler.currentAppId).toBe('a');
    await advance(200);
    expect(scheduler.currentAppId).toBe('c');
    await advance(1100);
    expect(scheduler.currentAppId).toBe('a');
    await scheduler.stop();
  });

  it('stays on one app while the rotation is off, and switches on request', async () => {
    const { scheduler } = setup({}, false);
    scheduler.setApps([app('a'), app('b'), app('c')]);
    scheduler.start();
    await advance(5000);
    expect(scheduler.currentAppId).toBe('a');
    scheduler.showApp('c');
    await advance(10);
    expect(scheduler.currentAppId).toBe('c');
    scheduler.next();
    await advance(10);
    expect(scheduler.currentAppId).toBe('a');
    scheduler.previous();
    await advance(10);
    expect(scheduler.currentAppId).toBe('c');
    expect(() => scheduler.showApp('zzz')).toThrow('unknown app "zzz"');
    expect(() => scheduler.showApp('zzz')).toThrow(UnknownAppError);
    await scheduler.stop();
  });

  it('takes a faulting app out of the rotation with its reason and moves on', async () => {
    const { scheduler, instances } = setup({ bad: 'loop-fault', broken: 'load-fault' });
    scheduler.setApps([app('broken'), app('bad'), app('good')]);
    scheduler.start();
    await advance(50);
    expect(scheduler.failure('broken')).toBe('not a Wasm module');
    expect(scheduler.failure('bad')).toBe('run() exceeded its 250 ms time budget');
    expect(scheduler.currentAppId).toBe('good');
    expect(instances.find((i) => i.id === 'bad')!.closed).toBe(true);
    expect(() => scheduler.showApp('bad')).toThrow(/has failed/);
    expect(() => scheduler.showApp('bad')).toThrow(AppFailedError);
    // A new version of the app gets a fresh start.
    scheduler.setApps([app('broken'), app('bad'), app('good')], ['bad']);
    expect(scheduler.failure('bad')).toBeUndefined();
    await scheduler.stop();
  });

  it('shows nothing (and does not spin) when no app can run', async () => {
    const { scheduler, instances } = setup({ a: 'loop-fault' });
    scheduler.setApps([app('a')]);
    scheduler.start();
    await advance(5000);
    expect(scheduler.currentAppId).toBeNull();
    expect(instances).toHaveLength(1);
    await scheduler.stop();
  });

  it('passes button events to the shown app and ticks it at once', async () => {
    const { scheduler, instances } = setup();
    scheduler.setApps([app('a', { refresh_period_ms: 60_000 })]);
    scheduler.start();
    await advance(10);
    const runs = instances[0].runs;
    scheduler.button({ button: 'main', action: 'long_press' });
    await advance(1);
    expect(instances[0].buttons).toEqual(['long_press']);
    expect(instances[0].runs).toBe(runs + 1);
    await scheduler.stop();
  });

  it('shows a preview instead of the rotation until it ends', async () => {
    const { scheduler } = setup();
    scheduler.setApps([app('a'), app('b')]);
    scheduler.start();
    await advance(10);
    scheduler.startPreview(app('draft'));
    await advance(10);
    expect(scheduler.currentAppId).toBe('draft');
    await advance(5000);
    expect(scheduler.currentAppId).toBe('draft');
    expect(() => scheduler.showApp('a')).toThrow(PreviewRunningError);
    expect(() => scheduler.showApp('a')).toThrow('a preview of "draft" is showing');
    expect(scheduler.endPreview()).toBe(true);
    await advance(10);
    expect(scheduler.currentAppId).toBe('a');
    expect(scheduler.endPreview()).toBe(false);
    await scheduler.stop();
  });

  it('moves on when the shown app is removed or disabled', async () => {
    const { scheduler, instances } = setup({}, false);
    scheduler.setApps([app('a'), app('b')]);
    scheduler.start();
    await advance(10);
    scheduler.setApps([app('b')]);
    await advance(10);
    expect(scheduler.currentAppId).toBe('b');
    expect(instances.find((i) => i.id === 'a')!.closed).toBe(true);
    scheduler.setApps([app('b', {}, false)]);
    await advance(10);
    expect(scheduler.currentAppId).toBeNull();
    await scheduler.stop();
  });

  it("marks as reactions the first frame of an app shown and the frame after a button or data, not the app's own refresh ticks", async () => {
    const { scheduler, reactions } = setup({}, false);
    scheduler.setApps([app('a')]);
    scheduler.start();
    await advance(50);
    expect(reactions).toEqual([true]);
    // refresh_period_ms 100: three ticks of its own.
    await advance(300);
    expect(reactions).toEqual([true, false, false, false]);
    scheduler.button({ button: 'main', action: 'press' });
    await advance(0);
    expect(reactions).toEqual([true, false, false, false, true]);
    expect(scheduler.pushData('a', new Uint8Array([1]))).toBe(true);
    await advance(0);
    await advance(100);
    expect(reactions).toEqual([true, false, false, false, true, true, false]);
    await scheduler.stop();
  });
});

describe('Scheduler.whileStopped', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('stops the shown app while its files change, then shows it again', async () => {
    const { scheduler, instances } = setup({}, false);
    scheduler.setApps([app('a'), app('b')]);
    scheduler.start();
    await advance(10);
    const first = instances[0];
    let runningDuringWork: boolean | undefined;
    await scheduler.whileStopped('a', () => {
      runningDuringWork = !first.closed;
      scheduler.setApps([app('a', { version: '2.0.0' }), app('b')], ['a']);
    });
    await advance(10);
    expect(runningDuringWork).toBe(false);
    expect(scheduler.currentAppId).toBe('a');
    expect(instances).toHaveLength(2);
    expect(instances[1].closed).toBe(false);
    await scheduler.stop();
  });

  it('moves on when the app is gone afterwards', async () => {
    const { scheduler } = setup({}, false);
    scheduler.setApps([app('a'), app('b')]);
    scheduler.start();
    await advance(10);
    await scheduler.whileStopped('a', () => scheduler.setApps([app('b')]));
    await advance(10);
    expect(scheduler.currentAppId).toBe('b');
    await scheduler.stop();
  });
});

describe('Scheduler.setGate (what the rules allow)', () => {
  const gate = (hidden: string[], extra: { pinned?: string; only?: string; fallback?: string } = {}) => ({ hidden: new Set(hidden), ...extra });

  it('leaves a hidden entry at once for the next allowed one, skips it in the rotation, and takes it back when allowed', async () => {
    const { scheduler } = setup();
    scheduler.setApps([app('a'), app('b'), app('c')]);
    scheduler.start();
    await advance(10);
    expect(scheduler.currentAppId).toBe('a');
    scheduler.setGate(gate(['a']));
    await advance(10);
    expect(scheduler.currentAppId).toBe('b');
    await advance(1000);
    expect(scheduler.currentAppId).toBe('c');
    await advance(1000);
    expect(scheduler.currentAppId).toBe('b');
    scheduler.setGate(gate([]));
    await advance(1000);
    expect(scheduler.currentAppId).toBe('c');
    await advance(1000);
    expect(scheduler.currentAppId).toBe('a');
    await scheduler.stop();
  });

  it('does not bring up an entry hidden while the switch to it is still closing the old one', async () => {
    // `a` takes 500 ms to close: the switch to `b` is in flight when the rules hide `b`.
    const { scheduler } = setup({ a: 'slow-close' });
    scheduler.setApps([app('a'), app('b'), app('c')]);
    scheduler.start();
    await advance(10);
    scheduler.showApp('b');
    await advance(10);
    scheduler.setGate(gate(['b']));
    await advance(600);
    expect(scheduler.currentAppId).toBe('c');
    await advance(10);
    expect(scheduler.currentAppId).toBe('c');
    await scheduler.stop();
  });

  it('stays on the pinned entry past its dwell, and rotates again once the pin is gone', async () => {
    const { scheduler, instances } = setup();
    scheduler.setApps([app('a'), app('b'), app('c')]);
    scheduler.start();
    await advance(10);
    scheduler.setGate(gate([], { pinned: 'c' }));
    await advance(10);
    expect(scheduler.currentAppId).toBe('c');
    await advance(5000);
    expect(scheduler.currentAppId).toBe('c');
    // Staying is not a restart of the app every dwell.
    expect(instances.filter((i) => i.id === 'c')).toHaveLength(1);
    scheduler.setGate(gate([]));
    await advance(1000);
    expect(scheduler.currentAppId).toBe('a');
    await scheduler.stop();
  });

  it('shows the fallback when nothing is allowed (even if its own rules hide it), and leaves it when an entry is allowed again', async () => {
    const { scheduler } = setup();
    scheduler.setApps([app('a'), app('b'), app('clock')]);
    scheduler.start();
    await advance(10);
    scheduler.setGate(gate(['a', 'b', 'clock'], { fallback: 'clock' }));
    await advance(10);
    expect(scheduler.currentAppId).toBe('clock');
    await advance(3000);
    expect(scheduler.currentAppId).toBe('clock');
    scheduler.setGate(gate(['a', 'clock'], { fallback: 'clock' }));
    await advance(10);
    expect(scheduler.currentAppId).toBe('b');
    await scheduler.stop();
  });

  it('shows nothing when nothing is allowed and the fallback is not installed', async () => {
    const { scheduler } = setup();
    scheduler.setApps([app('a')]);
    scheduler.start();
    await advance(10);
    scheduler.setGate(gate(['a'], { fallback: 'clock' }));
    await advance(10);
    expect(scheduler.currentAppId).toBeNull();
    await scheduler.stop();
  });

  it("shows only night mode's app while it is set, whatever else is allowed, then the rotation again", async () => {
    const { scheduler } = setup();
    scheduler.setApps([app('a'), app('b'), app('clock')]);
    scheduler.start();
    await advance(10);
    scheduler.setGate(gate(['clock'], { only: 'clock', pinned: 'a' }));
    await advance(10);
    expect(scheduler.currentAppId).toBe('clock');
    await advance(5000);
    expect(scheduler.currentAppId).toBe('clock');
    scheduler.next();
    await advance(10);
    expect(scheduler.currentAppId).toBe('clock');
    scheduler.setGate(gate([]));
    await advance(1000);
    expect(scheduler.currentAppId).toBe('a');
    await scheduler.stop();
  });
});
