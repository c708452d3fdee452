/**
 * Screens: what a home automation user shows without writing an app. A JSON screen published to
 * `P/cmd/screens/<id>` joins the rotation beside the apps; the same content fields make a
 * notification richer on `P/cmd/notify`. Types only here: the parser beside the commands checks
 * a payload against them, the bridge renders them.
 *
 * Colours are `#rrggbb`. Any text field (and `color`) may hold a template: Home Assistant's
 * `{{ states('sensor.power') }}` when the bridge is connected to it, or `{{mqtt:topic#json.path}}`.
 */
import type { Condition, ScheduleJson } from './schedules';

/** Text in colours of its own: `[{"t":"21.5","c":"#ffcc00"},{"t":" °C"}]`. */
export interface TextSegment {
  t: string;
  /** Colour of this segment; the screen's text colour when absent. */
  c?: string;
}

export interface ScreenText {
  /** Plain text, or segments each with a colour. */
  value: string | TextSegment[];
  color?: string;
  /** Each character in the next colour of the rainbow (moves over time). */
  rainbow?: boolean;
  /** Left to right from the first colour to the second. */
  gradient?: [string, string];
  font?: 'small' | 'regular';
  /** `auto` (default) scrolls only text wider than its space; `always` and `never` force it. */
  scroll?: 'auto' | 'always' | 'never';
  /** Scroll speed in pixels a second. */
  speed?: number;
  /** Passes of a scrolling text before the screen's dwell may end; 0 or absent: no limit. */
  repeat?: number;
  align?: 'left' | 'center' | 'right';
}

export interface ScreenIcon {
  name: string;
  position?: 'left' | 'right';
}

export interface ScreenProgress {
  /** 0 to 100. */
  value: number;
  color?: string;
  background?: string;
}

export interface ScreenChart {
  type: 'bar' | 'line';
  /** Auto-scaled between their minimum and maximum (at most 64 values: one a column). */
  values: number[];
  color?: string;
}

/** Drawing primitives, painted in list order after everything else. */
export type DrawCommand =
  | { pixel: [x: number, y: number]; color: string }
  | { line: [x0: number, y0: number, x1: number, y1: number]; color: string }
  | { rect: [x: number, y: number, width: number, height: number]; color: string; fill?: boolean }
  | { circle: [cx: number, cy: number, radius: number]; color: string; fill?: boolean }
  | { text: string; at: [x: number, y: number]; color: string; font?: 'small' | 'regular' }
  /** `pixels`: width * height colours, row by row; null leaves a pixel as it is. */
  | { bitmap: [x: number, y: number, width: number, height: number]; pixels: Array<string | null> };

/** What a screen or a rich notification shows; every part is optional and they combine. */
export interface ScreenContent {
  /** A string is shorthand for `{ "value": "..." }`. */
  text?: string | TextSegment[] | ScreenText;
  /** An icon name (shown left), or where to show it. */
  icon?: string | ScreenIcon;
  progress?: number | ScreenProgress;
  chart?: ScreenChart;
  draw?: DrawCommand[];
  background?: string;
}

export interface ScreenRequest extends ScreenContent {
  /** Seconds the screen stays up in the rotation (the rotation's default when absent). */
  duration_s?: number;
  /** Seconds without an update after which `on_expiry` happens. */
  lifetime_s?: number;
  /** `remove` (default) deletes the screen when its lifetime runs out; `stale` keeps it, marked. */
  on_expiry?: 'remove' | 'stale';
  /** Place in the rotation (0 is first); by default after the entries already there. */
  pos?: number;
  /** When it may show (docs/schedules.md), kept in its JSON form; absent = always. */
  schedule?: ScheduleJson;
  /** Shown only while this holds. */
  show_when?: Condition;
  /** Keeps the rotation on it while this holds. */
  pin_when?: Condition;
  transaction?: string | number;
}

export type EntryKind = 'app' | 'screen';
