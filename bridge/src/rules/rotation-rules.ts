/**
 * The rules of the rotation at run time: evaluates every entry's schedule and conditions
 * (`rotationView`) on an injected clock, and hands the scheduler what may show (RotationGate).
 * Evaluates again at the next schedule change (one timer for all entries), when a condition's
 * input changes, when the entries or their rules change, and when night mode begins or ends.
 * Knows nothing of MQTT or Home Assistant: inputs come in through ConditionFeeds' sources and
 * `setEntityState`.
 */
import type { Clock } from '../display/clock';
import type { NightChange } from '../events';
import type { RotationGate } from '../scheduler/scheduler';
import { conditionReads } from '../schedules/conditions';
import { effectiveLocation, locationFromZone } from '../schedules/location';
import { type ScheduleContext, usesSun } from '../schedules/schedule';
import type { Location } from '../schedules/sun-times';
import { type EntryRules, nextVisibilityChange, rotationView, type Visibility } from '../schedules/visibility';
import type { Logger } from '../util/logger';
import { ConditionFeeds, type ConditionSources } from './condition-feeds';

/** Wall-clock time (ms since the epoch) and timers; tests hand in one they move by hand. */
/** Home Assistant's home zone: the place for sun times when megabit.yaml names none. */
export const HOME_ZONE = 'zone.home';

/**
 * The longest the rules go without a look at the clock: the system clock can be stepped (NTP at
 * boot, a manual change), and a timer set for days would then fire at the wrong time.
 */
export const MAX_RULES_WAIT_MS = 15 * 60_000;

/**
 * Condition inputs re-evaluate the rotation at most this often (the first change at once): a
 * topic that changes many times a second must not keep the bridge busy evaluating schedules. A
 * rate limit only, on the process's own timer; what an evaluation decides follows `clock`.
 */
export const MIN_INPUT_EVALUATION_MS = 250;

export interface RotationRulesOptions extends ConditionSources {
  /** Calendar time (epoch ms) and its timers; tests hand in one they move by hand. */
  clock: Clock;
  timeZone: string;
  /** megabit.yaml's `location`; undefined = Home Assistant's zone.home. */
  location?: Location;
  /** rotation.fallback: shown when nothing else may show. */
  fallback: string;
  log: Logger;
  /** What the rotation may show changed. */
  onGate(gate: RotationGate): void;
  /** Some entry's visibility (or its reason), or the pinned entry, changed: P/state/apps is out of date. */
  onVisibilityChange(): void;
}

export type RuleEntry = { id: string; rules: EntryRules };

export class RotationRules {
  private readonly feeds: ConditionFeeds;
  private entries: RuleEntry[] = [];
  private entriesKey = '';
  private visibility = new Map<string, Visibility>();
  private pinnedId?: string;
  private night: NightChange = { active: false };
  private homeZone?: Location;
  private timer?: unknown;
  private lastGate = '';
  private running = false;
  private lastInputEvaluation = Number.NEGATIVE_INFINITY;
  private inputTimer?: NodeJS.Timeout;

  constructor(private readonly options: RotationRulesOptions) {
    this.feeds = new ConditionFeeds(options, () => this.inputChanged());
  }

  start(): void {
    this.running = true;
    this.evaluate();
  }

  stop(): void {
    this.running = false;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.inputTimer);
    this.inputTimer = undefined;
    this.feeds.stop();
  }

  /** The entries in rotation order with their rules: after installs, removals, reorders, rule changes. */
  setEntries(entries: RuleEntry[]): void {
    // A screen's content update hands the same entries again: its visibility may not change, its
    // schedules' next change neither (and that is the costly part).
    const key = JSON.stringify(entries);
    if (key === this.entriesKey) return;
    this.entriesKey = key;
    this.entries = entries;
    this.feeds.sync(conditionReads(entries.flatMap((e) => [e.rules.showWhen, e.rules.pinWhen])));
    this.evaluate();
  }

  /** The Home Assistant entities to follow: those conditions read, and zone.home while a sun window needs a place megabit.yaml does not give. */
  entityIds(): string[] {
    const needsPlace = this.options.location === undefined && this.entries.some((e) => e.rules.schedule !== undefined && usesSun(e.rules.schedule));
    return [...this.feeds.entityIds, ...(needsPlace ? [HOME_ZONE] : [])];
  }

  setEntityState(entity: string, state: { state: string; attributes: Record<string, unknown> } | null): void {
    if (entity === HOME_ZONE) {
      const place = locationFromZone(state?.attributes);
      const moved = place?.latitude !== this.homeZone?.latitude || place?.longitude !== this.homeZone?.longitude;
      this.homeZone = place;
      // A new place moves every sun time: the timer too.
      if (moved) this.evaluate();
    }
    if (this.feeds.setEntityState(entity, state?.state)) this.inputChanged();
  }

  setNight(night: NightChange): void {
    this.night = night;
    this.apply();
  }

  /** Why a condition may not read `topic` (the command is refused), or undefined. */
  topicRefusal(topic: string): string | undefined {
    return this.feeds.topicRefusal(topic);
  }

  /** The entry's visibility at the last evaluation; undefined for an entry it does not know. */
  visibilityOf(id: string): Visibility | undefined {
    return this.visibility.get(id);
  }

  /** The entry the rotation is pinned on (the first visible one whose pin_when holds), at the last evaluation. */
  get pinned(): string | undefined {
    return this.pinnedId;
  }

  /** The place sun times are computed for now. */
  get context(): ScheduleContext {
    const location = effectiveLocation(this.options.location, this.homeZone);
    return { timeZone: this.options.timeZone, ...(location ? { location } : {}) };
  }

  /** Evaluates every entry now, hands on what changed and sets the one timer for the next schedule change. */
  evaluate(): void {
    if (!this.running) return;
    const now = this.apply();
    this.arm(now, nextVisibilityChange(this.entries, now, this.context));
  }

  /**
   * A condition's input changed: the entries' visibility again, not the timer (schedules do not
   * depend on inputs, and finding their next change is the costly part). At most once per
   * MIN_INPUT_EVALUATION_MS; a change in between is evaluated when that time is up.
   */
  private inputChanged(): void {
    if (!this.running || this.inputTimer) return;
    const wait = this.lastInputEvaluation + MIN_INPUT_EVALUATION_MS - performance.now();
    if (wait <= 0) {
      this.lastInputEvaluation = performance.now();
      this.apply();
      return;
    }
    this.inputTimer = setTimeout(() => {
      this.inputTimer = undefined;
      this.lastInputEvaluation = performance.now();
      this.apply();
    }, wait);
  }

  /** Each entry's visibility and the gate at the clock's now, handed on when changed; returns that now. */
  private apply(): number {
    const now = this.options.clock.now();
    if (!this.running) return now;
    const ctx = this.context;
    const view = rotationView(this.entries, now, ctx, this.feeds);
    const visibility = new Map(view.entries.map((e) => [e.id, e.visibility]));
    const visibilityChanged = !sameVisibility(visibility, this.visibility) || view.pinned !== this.pinnedId;
    this.visibility = visibility;
    this.pinnedId = view.pinned;
    const gate: RotationGate = {
      hidden: new Set(view.entries.filter((e) => !e.visibility.visible).map((e) => e.id)),
      ...(view.pinned !== undefined ? { pinned: view.pinned } : {}),
      ...(this.night.active && this.night.app !== undefined ? { only: this.night.app } : {}),
      fallback: this.options.fallback,
    };
    const key = JSON.stringify({ ...gate, hidden: [...gate.hidden] });
    if (key !== this.lastGate) {
      this.lastGate = key;
      this.options.onGate(gate);
    }
    if (visibilityChanged) this.options.onVisibilityChange();
    return now;
  }

  private arm(now: number, next: number | undefined): void {
    const { clock } = this.options;
    clock.clearTimeout(this.timer);
    this.timer = undefined;
    const wait = next === undefined ? MAX_RULES_WAIT_MS : Math.min(Math.max(0, next - now), MAX_RULES_WAIT_MS);
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.evaluate();
    }, wait);
  }
}

function sameVisibility(a: ReadonlyMap<string, Visibility>, b: ReadonlyMap<string, Visibility>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, v] of a) if (JSON.stringify(v) !== JSON.stringify(b.get(id))) return false;
  return true;
}
