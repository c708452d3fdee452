/**
 * `<data_dir>/state.json`: the rotation order of the apps, which of them are disabled, and the
 * start-failure bookkeeping that stops a crash loop (see start-failures.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isValidId } from '@megabit/contract';
import { writeFileAtomic } from '../util/atomic-file';
import { errorMessage } from '../util/logger';

export interface StartFailure {
  /** Failed starts in a row. */
  count: number;
  /** Why the last one failed. */
  reason: string;
}

export interface RotationState {
  order: string[];
  disabled: string[];
  /** Apps whose last starts failed, by id; an app that starts well is taken out. */
  startFailures?: Record<string, StartFailure>;
}

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isValidId);

const isStartFailure = (v: unknown): v is StartFailure => {
  const f = v as Partial<StartFailure> | null;
  return typeof f === 'object' && f !== null && Number.isInteger(f.count) && (f.count as number) > 0 && typeof f.reason === 'string';
};

/** The stored state; a missing file is an empty state, a broken one too (with the problem). */
export function readRotationState(file: string): { state: RotationState; problem?: string } {
  const empty = { order: [], disabled: [] };
  if (!existsSync(file)) return { state: empty };
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<keyof RotationState, unknown>>;
    if (typeof raw !== 'object' || raw === null || !isIdList(raw.order) || !isIdList(raw.disabled)) {
      return { state: empty, problem: `${file} must hold {"order": [app ids], "disabled": [app ids]}; ignoring it` };
    }
    const state: RotationState = { order: [...new Set(raw.order)], disabled: [...new Set(raw.disabled)] };
    // The failure bookkeeping is read leniently: a bad entry is dropped, not the whole file.
    if (typeof raw.startFailures === 'object' && raw.startFailures !== null) {
      const failures = Object.entries(raw.startFailures).filter(([id, f]) => isValidId(id) && isStartFailure(f));
      if (failures.length > 0) state.startFailures = Object.fromEntries(failures) as Record<string, StartFailure>;
    }
    return { state };
  } catch (e) {
    return { state: empty, problem: `${file} cannot be read (${errorMessage(e)}); ignoring it` };
  }
}

/** Writes the state; the failure fields only when they hold something, so old readers see the old shape. */
export function writeRotationState(file: string, state: RotationState): void {
  const { order, disabled, startFailures } = state;
  const out: RotationState = { order, disabled };
  if (startFailures && Object.keys(startFailures).length > 0) out.startFailures = startFailures;
  writeFileAtomic(file, `${JSON.stringify(out, null, 2)}\n`);
}

/** The installed ids in rotation order: those the state names first, the rest sorted by id. */
export function rotationOrder(installed: ReadonlySet<string>, state: RotationState): string[] {
  const named = state.order.filter((id) => installed.has(id));
  const seen = new Set(named);
  const rest = [...installed].filter((id) => !seen.has(id)).sort();
  return [...named, ...rest];
}

/** `current` with the ids of `first` moved to the front in that order; the others keep theirs. */
export function moveToFront(current: readonly string[], first: readonly string[]): string[] {
  const named = new Set(first);
  return [...first, ...current.filter((id) => !named.has(id))];
}
