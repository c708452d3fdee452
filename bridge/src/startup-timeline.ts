/**
 * How long the bridge takes to start, phase by phase: Node's own start, loading the modules,
 * reading the settings, each part's start (broker, device, MQTT connect, HTTP, ...), and the
 * moments the first frame was composed, published on MQTT and drawn (the first not all black:
 * normally the app's). Each is a performance
 * mark or measure (`megabit:` names: a profile or the inspector shows them beside the rest), and
 * the whole goes to the log at debug level as one line, for people and for the bench to read:
 *
 *   start-up (ms): {"node":31,"module load":164,...,"first frame":402}
 *
 * Phases are durations; `first ...` moments are times since the process started. Times are read
 * from an injected clock (the process's `performance.now()`, which counts from its start).
 */
import { performance } from 'node:perf_hooks';
import type { DisplayOutput } from './display/output';
import type { Logger } from './util/logger';

/** The moments logged, in the order they normally come; the summary line goes out once all have come or on `flush`. */
export const MILESTONES = ['first compose', 'first frame', 'first drawn frame'] as const;
export type Milestone = (typeof MILESTONES)[number];

const PREFIX = 'megabit:';

export interface StartupClock {
  /** ms since the process started. */
  now(): number;
  /** ms since the process started at which Node had finished its own start (before any module of ours). */
  nodeReady(): number;
}

const processClock: StartupClock = {
  now: () => performance.now(),
  nodeReady: () => performance.nodeTiming.bootstrapComplete,
};

export class StartupTimeline {
  private readonly phases = new Map<string, number>();
  private readonly moments = new Map<Milestone, number>();
  private logged = false;

  /** `modulesLoadedAt`: the clock's reading when the entry module's imports had all run. */
  constructor(
    private readonly log: Logger,
    modulesLoadedAt: number,
    private readonly clock: StartupClock = processClock,
  ) {
    const nodeReady = Math.min(clock.nodeReady(), modulesLoadedAt);
    this.record('node', 0, nodeReady);
    this.record('module load', nodeReady, modulesLoadedAt);
  }

  /** A phase timed before the timeline existed (reading the settings, which say where the log goes). */
  recordPhase(name: string, start: number, end = this.clock.now()): void {
    this.record(name, start, end);
  }

  /** Runs `work` as the phase `name` (a part's start, reading the settings); its time counts even when it throws. */
  async phase<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const start = this.clock.now();
    try {
      return await work();
    } finally {
      this.record(name, start, this.clock.now());
    }
  }

  /** Marks a moment the first time it comes (later calls are free: it is called per frame). */
  reached(milestone: Milestone): void {
    if (this.moments.has(milestone)) return;
    const at = this.clock.now();
    this.moments.set(milestone, at);
    performance.mark(`${PREFIX}${milestone}`, { startTime: at });
    if (MILESTONES.every((m) => this.moments.has(m))) this.flush();
  }

  /** Logs what is known so far, once (when the bridge stops before every moment came, e.g. with no app installed). */
  flush(): void {
    if (this.logged) return;
    this.logged = true;
    this.log.debug(`start-up (ms): ${JSON.stringify(this.summary())}`);
  }

  /** Every phase's duration, then every moment, in ms rounded to 0.1. */
  summary(): Record<string, number> {
    const round = (ms: number): number => Math.round(ms * 10) / 10;
    const out: Record<string, number> = {};
    for (const [name, ms] of this.phases) out[name] = round(ms);
    for (const [name, at] of this.moments) out[name] = round(at);
    return out;
  }

  /** A phase that runs twice (two parts of one name) counts once, with both times. */
  private record(name: string, start: number, end: number): void {
    this.phases.set(name, (this.phases.get(name) ?? 0) + (end - start));
    performance.measure(`${PREFIX}${name}`, { start, end });
  }
}

/** A display output that only watches: the first frame composed, and the first with a lit pixel. */
export function frameMilestones(timeline: StartupTimeline): DisplayOutput {
  let drawn = false;
  return {
    name: 'start-up milestones',
    start: () => undefined,
    stop: () => undefined,
    showFrame(frame) {
      timeline.reached('first compose');
      if (drawn || !frame.some((byte) => byte !== 0)) return;
      drawn = true;
      timeline.reached('first drawn frame');
    },
  };
}
