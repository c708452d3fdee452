/**
 * Rules that are stored but cannot hold on this bridge as it is configured: a condition on a Home
 * Assistant entity or template without Home Assistant, a sun window with no place to compute sun
 * times for. They are accepted (Home Assistant may be configured later), and the command's reply
 * says why the entry will not show (`warnings`, as for a screen's missing icon).
 */
import type { Condition, Schedule } from '@megabit/contract';
import { conditionReads } from '../schedules/conditions';
import { usesSun } from '../schedules/schedule';

export type RuleWarning = { field: string; warning: string };

/** What the bridge can read for rules, from megabit.yaml. */
export interface RuleReach {
  /** homeassistant.url and .token are set: entity states, templates and zone.home can come. */
  homeAssistant: boolean;
  /** megabit.yaml has a `location`. */
  location: boolean;
}

const NO_HOME_ASSISTANT = 'homeassistant.url and .token are not set';

/** Why each of an entry's rules can never hold; empty when all can. */
export function neverHoldWarnings(rules: { schedule?: Schedule; show_when?: Condition; pin_when?: Condition }, reach: RuleReach): RuleWarning[] {
  const out: RuleWarning[] = [];
  if (rules.schedule && usesSun(rules.schedule) && !reach.location && !reach.homeAssistant) {
    out.push({
      field: 'schedule',
      warning: `never holds: sun times need a place, and there is none (no location in megabit.yaml, and ${NO_HOME_ASSISTANT} for zone.home)`,
    });
  }
  if (reach.homeAssistant) return out;
  for (const field of ['show_when', 'pin_when'] as const) {
    const condition = rules[field];
    if (!condition) continue;
    const { entities, templates } = conditionReads([condition]);
    for (const entity of entities) out.push({ field, warning: `never holds: reads Home Assistant entity "${entity}", and ${NO_HOME_ASSISTANT}` });
    if (templates.length > 0) out.push({ field, warning: `never holds: reads a Home Assistant template, and ${NO_HOME_ASSISTANT}` });
  }
  return out;
}
