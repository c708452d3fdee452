/** Fades and flashes step by step on a hand-driven clock: what the outputs are told, and when. */
import type { Clock } from '../../src/display/clock';
import { FADE_STEP_MS, FLASH_HALF_PERIOD_MS, LightEffects } from '../../src/display/light-effects';

class ManualClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, callback, id });
    return id;
  }
  clearTimeout(id: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== id);
  }
  atTurnEnd(callback: () => void): void {
    this.setTimeout(callback, 0);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.callback();
    }
    this.t = end;
  }
}

function setUp(lit = true, level = 200): { clock: ManualClock; effects: LightEffects; told: string[] } {
  const clock = new ManualClock();
  const told: string[] = [];
  const effects = new LightEffects(
    {
      showLevel: (l) => told.push(`level ${l} @${clock.now()}`),
      showLit: (on) => told.push(`${on ? 'lit' : 'dark'} @${clock.now()}`),
    },
    clock,
    lit,
    level,
  );
  return { clock, effects, told };
}

describe('a fade', () => {
  it('brightens from the level showing to the target over the transition, in 50 ms steps', () => {
    const { clock, effects, told } = setUp(true, 0);
    effects.fade(true, 200, 1000);
    clock.advance(1000);
    const levels = told.map((t) => Number(/^level (\d+)/.exec(t)![1]));
    expect(levels).toHaveLength(1000 / FADE_STEP_MS);
    expect(levels[0]).toBe(10);
    expect(levels[levels.length - 1]).toBe(200);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThan(levels[i - 1]);
    expect(told[told.length - 1]).toBe('level 200 @1000');
    expect(effects.running).toBe(false);
  });

  it('turning on from off starts dark and lights up at once, at level 0', () => {
    const { clock, effects, told } = setUp(false, 200);
    effects.fade(true, 100, 500);
    expect(told.slice(0, 2)).toEqual(['level 0 @0', 'lit @0']);
    clock.advance(500);
    expect(told[told.length - 1]).toBe('level 100 @500');
  });

  it('turning off dims to 0, then goes dark and keeps the level for the next turn on', () => {
    const { clock, effects, told } = setUp(true, 200);
    effects.fade(false, 200, 400);
    clock.advance(399);
    expect(told.some((t) => t.startsWith('dark'))).toBe(false);
    clock.advance(1);
    expect(told.slice(-3)).toEqual(['level 0 @400', 'dark @400', 'level 200 @400']);
  });

  it('a new command during a fade takes over from the level showing', () => {
    const { clock, effects, told } = setUp(true, 0);
    effects.fade(true, 200, 1000);
    clock.advance(500);
    effects.set(true, 50);
    expect(told[told.length - 1]).toBe('level 50 @500');
    clock.advance(1000);
    expect(told[told.length - 1]).toBe('level 50 @500');
    expect(effects.running).toBe(false);
  });
});

describe('a flash', () => {
  it('blinks dark and lit every 500 ms for its time, and ends lit', () => {
    const { clock, effects, told } = setUp(true, 200);
    effects.flash(2000);
    clock.advance(3000);
    expect(told).toEqual(['dark @0', 'lit @500', 'dark @1000', 'lit @1500']);
    expect(FLASH_HALF_PERIOD_MS).toBe(500);
    expect(effects.running).toBe(false);
  });

  it('an odd length still ends lit', () => {
    const { clock, effects, told } = setUp(true, 200);
    effects.flash(700);
    clock.advance(699);
    expect(effects.running).toBe(true);
    clock.advance(1);
    expect(effects.running).toBe(false);
    clock.advance(2000);
    expect(told).toEqual(['dark @0', 'lit @500']);
  });

  it('ending during a dark half lights up again', () => {
    const { clock, effects, told } = setUp(true, 200);
    effects.flash(1200);
    clock.advance(2000);
    expect(told).toEqual(['dark @0', 'lit @500', 'dark @1000', 'lit @1200']);
  });

  it('does nothing with the light off', () => {
    const { clock, effects, told } = setUp(false, 200);
    effects.flash(2000);
    clock.advance(3000);
    expect(told).toEqual([]);
  });
});
