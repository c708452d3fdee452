/**
 * The `megabit screen` node's form, read once when the node starts. Fields that hold more than a
 * word (the drawing as JSON, the chart values as a list) are parsed here, and what the form would
 * draw is checked with the contract's parser, so a broken form is reported as the form's fault
 * (not the message's) on every message, and never sent in part.
 */
import { type DrawCommand, parseScreenContent } from '@megabit/contract';
import { defined, formNumber, formText } from './msg-values';
import type { NodeDef } from './node-red';

export interface ScreenForm {
  screenId?: string;
  text?: string;
  color?: string;
  font?: string;
  rainbow?: true;
  gradient?: [string, string];
  scroll?: string;
  speed?: number;
  repeat?: number;
  align?: string;
  icon?: string;
  iconPosition?: string;
  progress?: number;
  progressColor?: string;
  progressBackground?: string;
  chart?: string;
  chartValues?: number[];
  chartColor?: string;
  draw?: DrawCommand[];
  background?: string;
  duration_s?: number;
  lifetime_s?: number;
  on_expiry?: string;
  pos?: number;
  /** Why the form cannot be sent, in words naming its field; unset when it is fine. */
  problem?: string;
}

/** Numbers apart by commas, semicolons or spaces, brackets allowed: "3, 1, 4" or "[3,1,4]". */
function numberList(field: string): number[] | string {
  const parts = field
    .replace(/^\[|\]$/g, '')
    .split(/[\s,;]+/)
    .filter((p) => p !== '');
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((n) => !Number.isFinite(n))) return `Chart values must be numbers apart by commas (got "${field}")`;
  return values;
}

function drawList(field: string): unknown {
  try {
    return JSON.parse(field) as unknown;
  } catch (err) {
    return new Error(`Draw is not JSON: ${(err as Error).message}`);
  }
}

export function readScreenForm(def: NodeDef): ScreenForm {
  const problems: string[] = [];
  const valuesField = formText(def.chartValues);
  const values = valuesField === undefined ? undefined : numberList(valuesField);
  if (typeof values === 'string') problems.push(values);
  const drawField = formText(def.draw);
  const draw = drawField === undefined ? undefined : drawList(drawField);
  if (draw instanceof Error) problems.push(draw.message);
  const [from, to] = [formText(def.gradientFrom), formText(def.gradientTo)];
  // A gradient runs between two colours: one alone is a half-filled form, not a default.
  if ((from === undefined) !== (to === undefined)) problems.push('Gradient needs both colours');

  const form = defined({
    screenId: formText(def.screenId),
    text: formText(def.text),
    color: formText(def.color),
    font: formText(def.font),
    // A checkbox is false by default; false is the bridge's default too, so it is left out.
    rainbow: def.rainbow === true ? true : undefined,
    gradient: from !== undefined && to !== undefined ? [from, to] : undefined,
    scroll: formText(def.scroll),
    speed: formNumber(def.speed),
    repeat: formNumber(def.repeat),
    align: formText(def.align),
    icon: formText(def.iconName),
    iconPosition: formText(def.iconPosition),
    progress: formNumber(def.progress),
    progressColor: formText(def.progressColor),
    progressBackground: formText(def.progressBackground),
    chart: formText(def.chart),
    chartValues: Array.isArray(values) ? values : undefined,
    chartColor: formText(def.chartColor),
    draw: draw instanceof Error ? undefined : draw,
    background: formText(def.background),
    duration_s: formNumber(def.duration),
    lifetime_s: formNumber(def.lifetime),
    on_expiry: formText(def.onExpiry),
    pos: formNumber(def.pos),
  }) as ScreenForm;
  return problems.length > 0 ? { ...form, problem: problems.join('; ') } : form;
}

/**
 * The contract's verdict on what the form itself would draw (`content`, built by the caller from
 * the form alone), so that a colour or a drawing that the bridge would refuse is named as the
 * node's field before any message comes.
 */
export function checkFormContent(form: ScreenForm, content: Record<string, unknown>): ScreenForm {
  if (form.problem !== undefined) return form;
  const result = parseScreenContent(content);
  return result.ok ? form : { ...form, problem: `the node's form: ${result.error.message}` };
}
