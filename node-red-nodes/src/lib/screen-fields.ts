/**
 * Builds the screen a `megabit screen` node sends (`P/cmd/screens/<id>`, contract/src/screens.ts)
 * from its form (lib/screen-form.ts) and msg.payload. The form is flat (one field per setting);
 * the contract nests (text with its colour, font and options, icon with its position, progress
 * and chart with their colours), so the two are joined here: a payload that gives only a text, an
 * icon name, a progress number or chart values keeps the form's style for it.
 */
import type { ScreenChart, ScreenIcon, ScreenProgress, ScreenRequest, ScreenText } from '@megabit/contract';
import { InvalidInputError } from './command-input';
import { defined, isPlainObject } from './msg-values';
import { checkFormContent, readScreenForm, type ScreenForm } from './screen-form';
import type { NodeDef } from './node-red';

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

/** A text with the form's colour, font and text options; the plain string when the form sets none. */
function styledText(form: ScreenForm, value: string): ScreenText | string {
  const style = defined({
    color: form.color,
    font: form.font,
    rainbow: form.rainbow,
    gradient: form.gradient,
    scroll: form.scroll,
    speed: form.speed,
    repeat: form.repeat,
    align: form.align,
  });
  return Object.keys(style).length > 0 ? { value, ...style } : value;
}

/** An icon on the form's side; the plain name when the form leaves the side to the bridge. */
function placedIcon(form: ScreenForm, name: string): ScreenIcon | string {
  return form.iconPosition === undefined ? name : { name, position: form.iconPosition as ScreenIcon['position'] };
}

/** A progress value in the form's bar colours; the plain number when the form sets neither. */
function styledProgress(form: ScreenForm, value: number): ScreenProgress | number {
  const style = defined({ color: form.progressColor, background: form.progressBackground });
  return Object.keys(style).length > 0 ? { value, ...style } : value;
}

/** The form's chart fields (type, values, colour), under whatever a message gives. */
function formChart(form: ScreenForm): Partial<ScreenChart> {
  return defined({ type: form.chart ?? 'bar', values: form.chartValues, color: form.chartColor });
}

/** The form as the contract's request, with a string payload as the text and a number list as the chart's values. */
function fromForm(form: ScreenForm, payload: unknown): ScreenRequest {
  const value = payloadText(payload) ?? form.text;
  const values = isNumberList(payload) ? payload : form.chartValues;
  // A chart needs values, from the form or the message; the type and colour alone draw nothing.
  const chart = values === undefined ? undefined : ({ ...formChart(form), values } as ScreenChart);
  return defined({
    text: value === undefined ? undefined : styledText(form, value),
    icon: form.icon === undefined ? undefined : placedIcon(form, form.icon),
    progress: form.progress === undefined ? undefined : styledProgress(form, form.progress),
    chart,
    draw: form.draw,
    background: form.background,
    duration_s: form.duration_s,
    lifetime_s: form.lifetime_s,
    on_expiry: form.on_expiry as ScreenRequest['on_expiry'],
    pos: form.pos,
  }) as ScreenRequest;
}

/**
 * One payload field as sent: a bare text, icon name or progress number takes the form's style
 * for it, and a chart the form's type, values and colour where it leaves them out.
 */
function overlay(key: string, given: unknown, form: ScreenForm): unknown {
  if (key === 'text' && typeof given === 'string') return styledText(form, given);
  if (key === 'icon' && typeof given === 'string') return placedIcon(form, given);
  if (key === 'progress' && typeof given === 'number') return styledProgress(form, given);
  if (key === 'chart' && isPlainObject(given)) return { ...formChart(form), ...given };
  return given;
}

/**
 * The node's form, read and checked once when the node starts. The check draws every styled
 * part, with a stand-in value where only a message brings one (a progress colour without a
 * progress, say), so that each field the form sets meets the contract's parser.
 */
export function screenForm(def: NodeDef): ScreenForm {
  const form = readScreenForm(def);
  if (form.problem !== undefined) return form;
  const probe = fromForm({ ...form, text: form.text ?? ' ', progress: form.progress ?? 0, chartValues: form.chartValues ?? [0] }, undefined);
  return checkFormContent(form, {
    text: probe.text,
    icon: probe.icon,
    progress: probe.progress,
    chart: probe.chart,
    draw: probe.draw,
    background: probe.background,
  });
}

export interface ScreenMessage {
  /** The screen's id: msg.payload.id, else msg.screen_id, else the form's. */
  id: unknown;
  request: ScreenRequest;
}

/**
 * The screen for one message: the form, then msg.payload over it (an object's fields replace the
 * form's, a string is the text, a list of numbers the chart's values). The bridge checks the
 * result; only what cannot be sent at all, or a form the bridge would refuse, is refused here.
 */
export function screenMessage(what: string, form: ScreenForm, payload: unknown, msgScreenId: unknown): ScreenMessage {
  // A broken form is refused whatever the message brings: a screen the node shows only in part is not what its form says.
  if (form.problem !== undefined) throw new InvalidInputError(what, form.problem);
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
