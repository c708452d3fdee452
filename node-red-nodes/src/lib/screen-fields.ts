/**
 * Builds the screen a `megabit screen` node sends (`P/cmd/screens/<id>`, contract/src/screens.ts)
 * from its form and msg.payload. The form is flat (one field per setting); the contract nests
 * (text with its colour and font, icon with its position, chart with its values), so the two are
 * joined here: a payload that gives only a text or an icon name keeps the form's colour, font or
 * position, and one that gives only chart values keeps the form's chart type.
 */
import type { ScreenChart, ScreenIcon, ScreenRequest, ScreenText } from '@megabit/contract';
import { InvalidInputError } from './command-input';
import { defined, formNumber, formText, isPlainObject } from './msg-values';
import type { NodeDef } from './node-red';

/** The node's form, read once when the node starts. */
export interface ScreenForm {
  screenId?: string;
  text?: string;
  color?: string;
  font?: string;
  icon?: string;
  iconPosition?: string;
  progress?: number;
  chart?: string;
  background?: string;
  duration_s?: number;
  lifetime_s?: number;
  on_expiry?: string;
  pos?: number;
}

export function readScreenForm(def: NodeDef): ScreenForm {
  return defined({
    screenId: formText(def.screenId),
    text: formText(def.text),
    color: formText(def.color),
    font: formText(def.font),
    icon: formText(def.iconName),
    iconPosition: formText(def.iconPosition),
    progress: formNumber(def.progress),
    chart: formText(def.chart),
    background: formText(def.background),
    duration_s: formNumber(def.duration),
    lifetime_s: formNumber(def.lifetime),
    on_expiry: formText(def.onExpiry),
    pos: formNumber(def.pos),
  }) as ScreenForm;
}

/** An empty MQTT-style payload removes the screen, as it does on `P/cmd/screens/<id>`. */
export function isRemoval(payload: unknown, remove: unknown): boolean {
  if (remove === true) return true;
  return payload === '' || (Buffer.isBuffer(payload) && payload.length === 0);
}

/** The text of a non-object payload: strings, Buffers, numbers and booleans are shown as they are. */
function payloadText(payload: unknown): string | undefined {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  if (typeof payload === 'number' || typeof payload === 'boolean') return String(payload);
  return undefined;
}

function isNumberList(payload: unknown): payload is number[] {
  return Array.isArray(payload) && payload.every((v) => typeof v === 'number');
}

/** A text in the form's colour and font; the plain string when the form sets neither. */
function styledText(form: ScreenForm, value: string): ScreenText | string {
  const style = defined({ color: form.color, font: form.font });
  return Object.keys(style).length > 0 ? { value, ...style } : value;
}

/** An icon on the form's side; the plain name when the form leaves the side to the bridge. */
function placedIcon(form: ScreenForm, name: string): ScreenIcon | string {
  return form.iconPosition === undefined ? name : { name, position: form.iconPosition as ScreenIcon['position'] };
}

/** The form as the contract's request, with a string payload as the text and a number list as the chart. */
function fromForm(form: ScreenForm, payload: unknown): ScreenRequest {
  const value = payloadText(payload) ?? form.text;
  const values = isNumberList(payload) ? payload : undefined;
  // A chart needs values, which only a message brings; the form's type alone draws nothing.
  const chart: ScreenChart | undefined = values === undefined ? undefined : { type: (form.chart ?? 'bar') as ScreenChart['type'], values };
  return defined({
    text: value === undefined ? undefined : styledText(form, value),
    icon: form.icon === undefined ? undefined : placedIcon(form, form.icon),
    progress: form.progress,
    chart,
    background: form.background,
    duration_s: form.duration_s,
    lifetime_s: form.lifetime_s,
    on_expiry: form.on_expiry as ScreenRequest['on_expiry'],
    pos: form.pos,
  }) as ScreenRequest;
}

/** One payload field as sent: a bare text or icon name takes the form's style, a chart without a type the form's type. */
function overlay(key: string, given: unknown, form: ScreenForm): unknown {
  if (key === 'text' && typeof given === 'string') return styledText(form, given);
  if (key === 'icon' && typeof given === 'string') return placedIcon(form, given);
  if (key === 'chart' && isPlainObject(given)) return { type: form.chart ?? 'bar', ...given };
  return given;
}

export interface ScreenMessage {
  /** The screen's id: msg.payload.id, else msg.screen_id, else the form's. */
  id: unknown;
  request: ScreenRequest;
}

/**
 * The screen for one message: the form, then msg.payload over it (an object's fields replace the
 * form's, a string is the text, a list of numbers the chart's values). The bridge checks the
 * result; only what cannot be sent at all is refused here.
 */
export function screenMessage(what: string, form: ScreenForm, payload: unknown, msgScreenId: unknown): ScreenMessage {
  if (payload !== undefined && payload !== null && !isPlainObject(payload) && payloadText(payload) === undefined && !isNumberList(payload)) {
    throw new InvalidInputError(what, 'msg.payload must be the text, a list of numbers for the chart, or an object of screen fields');
  }
  const built = fromForm(form, payload);
  if (!isPlainObject(payload)) return { id: msgScreenId ?? form.screenId, request: built };
  const { id, ...fields } = payload;
  const request: Record<string, unknown> = { ...built };
  for (const [key, value] of Object.entries(fields)) request[key] = overlay(key, value, form);
  return { id: id ?? msgScreenId ?? form.screenId, request: request as ScreenRequest };
}
