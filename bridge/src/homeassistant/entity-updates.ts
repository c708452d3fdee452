/**
 * Home Assistant's `subscribe_entities` events, applied to a map of entity states. The events
 * are compressed: `a` adds whole states, `c` changes parts of them (`+` sets, `-` removes
 * attributes), `r` removes entities; a state is `{s, a, c, lc, lu}` with times in epoch seconds.
 * Anything malformed is skipped, never thrown.
 */
import type { HomeAssistantEntityState } from '../sandbox/types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function isoTime(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function fullState(compressed: unknown): HomeAssistantEntityState | undefined {
  if (!isObject(compressed) || typeof compressed.s !== 'string') return undefined;
  const lastChanged = isoTime(compressed.lc);
  return {
    state: compressed.s,
    attributes: isObject(compressed.a) ? { ...compressed.a } : {},
    ...(lastChanged ? { last_changed: lastChanged } : {}),
  };
}

function changedState(current: HomeAssistantEntityState, diff: unknown): HomeAssistantEntityState {
  if (!isObject(diff)) return current;
  const next: HomeAssistantEntityState = { ...current, attributes: { ...current.attributes } };
  const add = diff['+'];
  if (isObject(add)) {
    if (typeof add.s === 'string') next.state = add.s;
    if (isObject(add.a)) Object.assign(next.attributes, add.a);
    const lastChanged = isoTime(add.lc);
    if (lastChanged) next.last_changed = lastChanged;
  }
  const remove = diff['-'];
  if (isObject(remove) && Array.isArray(remove.a)) {
    for (const key of remove.a) if (typeof key === 'string') delete next.attributes[key];
  }
  return next;
}

/**
 * Applies one event to `states`, only for entities in `wanted`; returns each entity that changed
 * with its new state (null: the entity is gone).
 */
export function applyEntityEvent(
  states: Map<string, HomeAssistantEntityState>,
  event: unknown,
  wanted: ReadonlySet<string>,
): Array<[string, HomeAssistantEntityState | null]> {
  const changed: Array<[string, HomeAssistantEntityState | null]> = [];
  if (!isObject(event)) return changed;
  if (isObject(event.a)) {
    for (const [id, compressed] of Object.entries(event.a)) {
      const state = wanted.has(id) ? fullState(compressed) : undefined;
      if (!state) continue;
      states.set(id, state);
      changed.push([id, state]);
    }
  }
  if (isObject(event.c)) {
    for (const [id, diff] of Object.entries(event.c)) {
      const current = states.get(id);
      if (!current || !wanted.has(id)) continue;
      const next = changedState(current, diff);
      states.set(id, next);
      changed.push([id, next]);
    }
  }
  if (Array.isArray(event.r)) {
    for (const id of event.r) {
      if (typeof id !== 'string' || !states.delete(id)) continue;
      changed.push([id, null]);
    }
  }
  return changed;
}
