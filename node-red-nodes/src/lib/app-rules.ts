/**
 * What the app node sends for `schedule`, `show_when` and `pin_when` (P/cmd/apps/<id>/schedule,
 * .../show_when, .../pin_when; docs/schedules.md): the rule as JSON, checked with the contract's
 * parsers before anything is sent, or `null` to remove it. The rule is sent as the user wrote it
 * (`"07:00"`, `"sunset+30"`), not as the parser's inner form, which is not a payload.
 */
import { commandPath, parseConditionPayload, parseSchedule } from '@megabit/contract';
import { checked, InvalidInputError } from './command-input';
import { isPlainObject } from './msg-values';

export const RULE_COMMANDS = { schedule: 'appSchedule', show_when: 'appShowWhen', pin_when: 'appPinWhen' } as const;
export type RuleCommand = keyof typeof RULE_COMMANDS;

/** A rule to set (`json`, where a `transaction` can go) or the removal (`null`, matched by order). */
export type RuleBody = { json: Record<string, unknown> } | { raw: 'null' };

/**
 * The rule a message carries: msg.payload when it is one (an object, a list, `null`, or JSON
 * text, as an MQTT In node delivers it; an empty payload removes), else the node's own rule
 * (`formRule`, JSON text), so an inject's timestamp sends what the node says.
 */
export function ruleValue(path: string, payload: unknown, formRule: string | undefined): unknown {
  if (payload === null || payload === '' || (Buffer.isBuffer(payload) && payload.length === 0)) return null;
  if (isPlainObject(payload) || Array.isArray(payload)) return payload;
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return parsedJson(path, payload.toString(), 'msg.payload');
  if (formRule !== undefined) return parsedJson(path, formRule, "the node's rule");
  throw new InvalidInputError(path, "give the rule as msg.payload (an object, a list, JSON text, or null to remove it) or in the node's Rule field");
}

function parsedJson(path: string, text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InvalidInputError(path, `${where} is not JSON: ${(e as Error).message}`);
  }
}

/** Checks `value` as the bridge will, and shapes it so a transaction can go with it. */
export function ruleBody(command: RuleCommand, appId: string, value: unknown): RuleBody {
  const path = commandPath(RULE_COMMANDS[command], { appId });
  if (value === null) return { raw: 'null' };
  // A list of windows goes as {"windows": [...]}, the same schedule, so it is an object that can carry a transaction.
  const json = Array.isArray(value) && command === 'schedule' ? { windows: value } : value;
  const text = JSON.stringify(json);
  if (command === 'schedule') checked(path, parseSchedule(text));
  else checked(path, parseConditionPayload(text, command));
  // The parser accepted it, so it is an object here; checked again only to narrow the type.
  if (!isPlainObject(json)) throw new InvalidInputError(path, `the ${command} must be a JSON object`);
  return { json };
}
