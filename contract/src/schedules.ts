/**
 * When an app or screen may be shown (docs/schedules.md): schedules of time windows, and the
 * `show_when`/`pin_when` conditions on Home Assistant entities, templates and MQTT topics.
 * Types only here; `schedule-parse.ts` checks payloads against them, the bridge evaluates them.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Sun events a window may start or end at (suncalc's: dawn and dusk are civil twilight, the sun 6° below the horizon). */
export const SUN_EVENTS = ['sunrise', 'sunset', 'dawn', 'dusk'] as const;
export type SunEvent = (typeof SUN_EVENTS)[number];

/**
 * One end of a window, as written: `"07:30"` (local wall-clock time), or a sun event with an
 * optional offset in minutes, `"sunset"`, `"sunset+30"`, `"sunrise-15"`.
 */
export type Boundary = { kind: 'clock'; minutes: number } | { kind: 'sun'; event: SunEvent; offsetMin: number };

/** Largest sun offset: beyond it the event would belong to another day. */
export const MAX_SUN_OFFSET_MIN = 720;

/**
 * The grammar of a boundary as one regular expression, so the settings schema (night mode)
 * accepts exactly what the MQTT parser accepts.
 */
export const BOUNDARY_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|(sunrise|sunset|dawn|dusk)([+-][0-9]{1,3})?)$';

/**
 * A window opens at `from` on each of `days` (all days when absent) and closes at the next `to`
 * after it: `to` at or before `from` means the next day, so Mon 22:00-02:00 covers Tue 01:00.
 */
export interface ScheduleWindow {
  days?: Weekday[];
  from: Boundary;
  to: Boundary;
}

/** Open while any window is open. No windows: never open (clear a schedule with `null` instead). */
export interface Schedule {
  windows: ScheduleWindow[];
}

/** A schedule written out as its JSON (`"07:30"`, `"sunset+30"`), as a screen keeps it: `parseScheduleValue` reads it back. */
export interface ScheduleJson {
  windows: Array<{ days?: Weekday[]; from: string; to: string }>;
}

/** Most windows in one schedule, and most conditions in one `show_when` tree, and how deep. */
export const MAX_SCHEDULE_WINDOWS = 16;
export const MAX_CONDITIONS = 32;
export const MAX_CONDITION_DEPTH = 4;
export const MAX_TEMPLATE_LENGTH = 1024;
export const MAX_CONDITION_TOPIC_LENGTH = 256;

/**
 * A `show_when` or `pin_when` condition. Numeric tests (`above`, `below`) are strict, as in Home
 * Assistant; a value that is absent or not a number never meets one.
 */
export type Condition =
  | { entity: string; state: string[] }
  | { entity: string; above?: number; below?: number }
  | { template: string }
  | { topic: string; equals: string }
  | { topic: string; above?: number; below?: number }
  | { all: Condition[] }
  | { any: Condition[] };

/** `P/cmd/apps/<id>/schedule`: a schedule, or `null` to remove it (always shown). */
export interface ScheduleRequest {
  schedule: Schedule | null;
  transaction?: string | number;
}

/** Why `P/state/apps` lists an entry as not visible: the first of these that applies. */
export type HiddenReason = 'disabled' | 'schedule' | 'condition';

/** The reply to `apps/<id>/schedule`, `show_when` and `pin_when`: whether the entry shows now with its rules. */
export type EntryRulesReply = {
  id: string;
  visible: boolean;
  /** Why not, when `visible` is false. */
  reason?: HiddenReason;
  /**
   * Why a rule, stored all the same, can never hold on this bridge: a Home Assistant entity or
   * template without Home Assistant, a sun window with no place for sun times.
   */
  warnings?: Array<{ field: string; warning: string }>;
};

/** `P/cmd/apps/<id>/show_when` and `.../pin_when`: a condition, or `null` to remove it. */
export interface ConditionRequest {
  condition: Condition | null;
  transaction?: string | number;
}
