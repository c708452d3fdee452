/**
 * `<data_dir>/rules.json`: the `schedule`, `show_when` and `pin_when` set on apps over MQTT, kept
 * across restarts (a screen keeps its own rules in screens.json). Written atomically; read back
 * through the contract's parsers, so a hand-edited file is held to what a command may send.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Condition, isValidId, parseConditionValue, parseScheduleValue, type Schedule, scheduleJson } from '@megabit/contract';
import { writeFileAtomic } from '../util/atomic-file';
import { errorMessage } from '../util/logger';

export interface AppRules {
  schedule?: Schedule;
  showWhen?: Condition;
  pinWhen?: Condition;
}

export type RuleName = keyof AppRules;

export class RulesFile {
  private rules = new Map<string, AppRules>();

  constructor(private readonly file: string) {}

  /** Reads the file; what cannot be read is left out, each problem returned for the log. */
  load(): string[] {
    this.rules.clear();
    if (!existsSync(this.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      return [`${this.file} cannot be read (${errorMessage(e)}); no app has a schedule or condition`];
    }
    const apps = (raw as { apps?: unknown } | null)?.apps;
    if (typeof apps !== 'object' || apps === null || Array.isArray(apps)) return [`${this.file} must hold {"apps": {...}}; ignoring it`];
    const problems: string[] = [];
    for (const [id, value] of Object.entries(apps as Record<string, Record<string, unknown>>)) {
      if (!isValidId(id) || typeof value !== 'object' || value === null) {
        problems.push(`${this.file}: dropping "${id}": not an app id with its rules`);
        continue;
      }
      const rules: AppRules = {};
      const schedule = value.schedule === undefined ? undefined : parseScheduleValue(value.schedule, `${id}.schedule`);
      const showWhen = value.show_when === undefined ? undefined : parseConditionValue(value.show_when, `${id}.show_when`);
      const pinWhen = value.pin_when === undefined ? undefined : parseConditionValue(value.pin_when, `${id}.pin_when`);
      for (const r of [schedule, showWhen, pinWhen]) if (r && !r.ok) problems.push(`${this.file}: ignoring ${r.error.message}`);
      if (schedule?.ok) rules.schedule = schedule.value;
      if (showWhen?.ok) rules.showWhen = showWhen.value;
      if (pinWhen?.ok) rules.pinWhen = pinWhen.value;
      if (Object.keys(rules).length > 0) this.rules.set(id, rules);
    }
    return problems;
  }

  get(id: string): AppRules {
    return this.rules.get(id) ?? {};
  }

  /** Sets (or with undefined, removes) one rule of `id` and writes the file; on a write error nothing changes. */
  set<K extends RuleName>(id: string, name: K, value: AppRules[K] | undefined): void {
    const next = new Map(this.rules);
    const rules: AppRules = { ...this.get(id) };
    if (value === undefined) delete rules[name];
    else rules[name] = value;
    if (Object.keys(rules).length > 0) next.set(id, rules);
    else next.delete(id);
    this.write(next);
    this.rules = next;
  }

  /** Forgets every rule of `id` (the app was removed: a new install starts without them). */
  forget(id: string): void {
    if (!this.rules.has(id)) return;
    const next = new Map(this.rules);
    next.delete(id);
    this.write(next);
    this.rules = next;
  }

  private write(rules: Map<string, AppRules>): void {
    const apps = Object.fromEntries(
      [...rules].map(([id, r]) => [
        id,
        {
          ...(r.schedule ? { schedule: scheduleJson(r.schedule) } : {}),
          ...(r.showWhen ? { show_when: r.showWhen } : {}),
          ...(r.pinWhen ? { pin_when: r.pinWhen } : {}),
        },
      ]),
    );
    writeFileAtomic(this.file, `${JSON.stringify({ apps }, null, 2)}\n`);
  }
}
