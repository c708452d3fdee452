/** `<data_dir>/state.json`: the rotation order of the apps and which of them are disabled. */
import { existsSync, readFileSync } from 'node:fs';
import { isValidId } from '@megabit/contract';
import { writeFileAtomic } from '../util/atomic-file';
import { errorMessage } from '../util/logger';

export interface RotationState {
  order: string[];
  disabled: string[];
}

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isValidId);

/** The stored state; a missing file is an empty state, a broken one too (with the problem). */
export function readRotationState(file: string): { state: RotationState; problem?: string } {
  const empty = { order: [], disabled: [] };
  if (!existsSync(file)) return { state: empty };
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<keyof RotationState, unknown>>;
    if (typeof raw !== 'object' || raw === null || !isIdList(raw.order) || !isIdList(raw.disabled)) {
      return { state: empty, problem: `${file} must hold {"order": [app ids], "disabled": [app ids]}; ignoring it` };
    }
    return { state: { order: [...new Set(raw.order)], disabled: [...new Set(raw.disabled)] } };
  } catch (e) {
    return { state: empty, problem: `${file} cannot be read (${errorMessage(e)}); ignoring it` };
  }
}

export function writeRotationState(file: string, state: RotationState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
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
