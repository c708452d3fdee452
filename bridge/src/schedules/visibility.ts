/**
 * Which rotation entries may show now, and why the others may not: what `P/state/apps` reports
 * as `visible` and the reason, and what the rotation skips. Disabled wins over the schedule, the
 * schedule over the condition, so the reason given is the one the user has to change first.
 */
import type { Condition, HiddenReason, Schedule } from '@megabit/contract';
import { type ConditionInputs, conditionHolds } from './conditions';
import { isInSchedule, nextChange, type ScheduleContext } from './schedule';

export type { HiddenReason };

/** The rules set on one rotation entry (an app or a screen). */
export interface EntryRules {
  disabled?: boolean;
  schedule?: Schedule;
  showWhen?: Condition;
  pinWhen?: Condition;
}

/** `pinned`: visible and its `pin_when` holds, so the rotation stays on it. */
export type Visibility = { visible: true; pinned: boolean } | { visible: false; reason: HiddenReason };

export function entryVisibility(rules: EntryRules, instant: number, ctx: ScheduleContext, inputs: ConditionInputs): Visibility {
  if (rules.disabled === true) return { visible: false, reason: 'disabled' };
  if (rules.schedule !== undefined && !isInSchedule(rules.schedule, instant, ctx)) return { visible: false, reason: 'schedule' };
  if (rules.showWhen !== undefined && !conditionHolds(rules.showWhen, inputs)) return { visible: false, reason: 'condition' };
  return { visible: true, pinned: rules.pinWhen !== undefined && conditionHolds(rules.pinWhen, inputs) };
}

export interface RotationView {
  /** Every entry's visibility, in rotation order. */
  entries: Array<{ id: string; visibility: Visibility }>;
  /** The first pinned entry in rotation order: the rotation pauses on it while it holds. */
  pinned?: string;
  /** Nothing is visible: the configured fallback (the clock) shows. */
  fallback: boolean;
}

/** The visibility of every entry, in rotation order, and what the rotation should do with it. */
export function rotationView(
  order: ReadonlyArray<{ id: string; rules: EntryRules }>,
  instant: number,
  ctx: ScheduleContext,
  inputs: ConditionInputs,
): RotationView {
  const entries = order.map(({ id, rules }) => ({ id, visibility: entryVisibility(rules, instant, ctx, inputs) }));
  const pinned = entries.find((e) => e.visibility.visible && e.visibility.pinned)?.id;
  return { entries, ...(pinned !== undefined ? { pinned } : {}), fallback: !entries.some((e) => e.visibility.visible) };
}

/** The earliest instant any entry's schedule flips: one timer for the whole rotation. */
export function nextVisibilityChange(order: ReadonlyArray<{ rules: EntryRules }>, instant: number, ctx: ScheduleContext): number | undefined {
  let earliest: number | undefined;
  for (const { rules } of order) {
    if (rules.schedule === undefined || rules.disabled === true) continue;
    const t = nextChange(rules.schedule, instant, ctx);
    if (t !== undefined && (earliest === undefined || t < earliest)) earliest = t;
  }
  return earliest;
}
