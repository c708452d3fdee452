/**
 * `show_when`/`pin_when` conditions evaluated against the latest known inputs. The evaluator
 * never fetches anything: the caller keeps entity states, topic values and template results
 * (subscribing to exactly what `conditionReads` lists) and evaluates again when one changes.
 */
import type { Condition } from '@megabit/contract';

/** The latest value of each input; undefined while none has arrived (the condition then fails). */
export interface ConditionInputs {
  entityState(entity: string): string | undefined;
  topicValue(topic: string): string | undefined;
  templateResult(template: string): string | undefined;
}

/** What a set of conditions reads, each listed once, in first-use order. */
export interface ConditionReads {
  entities: string[];
  topics: string[];
  templates: string[];
}

/** A finite number from a state or payload ("21.5", " 3 "), or undefined ("unavailable", ""). */
function numberFrom(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

function inRange(value: number | undefined, c: { above?: number; below?: number }): boolean {
  if (value === undefined) return false;
  return (c.above === undefined || value > c.above) && (c.below === undefined || value < c.below);
}

const TRUE_TEXTS = new Set(['true', 'yes', 'on', 'enable']);

/** Home Assistant's reading of a template result as a boolean: a true-ish word or a non-zero number. */
export function templateIsTrue(result: string | undefined): boolean {
  if (result === undefined) return false;
  const text = result.trim().toLowerCase();
  if (TRUE_TEXTS.has(text)) return true;
  const n = numberFrom(text);
  return n !== undefined && n !== 0;
}

export function conditionHolds(c: Condition, inputs: ConditionInputs): boolean {
  if ('all' in c) return c.all.every((child) => conditionHolds(child, inputs));
  if ('any' in c) return c.any.some((child) => conditionHolds(child, inputs));
  if ('template' in c) return templateIsTrue(inputs.templateResult(c.template));
  if ('entity' in c) {
    const state = inputs.entityState(c.entity);
    if ('state' in c) return state !== undefined && c.state.includes(state);
    return inRange(numberFrom(state), c);
  }
  const value = inputs.topicValue(c.topic);
  if ('equals' in c) return value === c.equals;
  return inRange(numberFrom(value), c);
}

/** Every input the conditions read, so the caller subscribes to those and no others. */
export function conditionReads(conditions: readonly (Condition | undefined)[]): ConditionReads {
  const entities = new Set<string>();
  const topics = new Set<string>();
  const templates = new Set<string>();
  const walk = (c: Condition): void => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('template' in c) templates.add(c.template);
    else if ('entity' in c) entities.add(c.entity);
    else topics.add(c.topic);
  };
  for (const c of conditions) if (c !== undefined) walk(c);
  return { entities: [...entities], topics: [...topics], templates: [...templates] };
}
