/**
 * The bridge's own placeholders in live text: `{{mqtt:topic}}` (the latest payload of a topic, as
 * UTF-8 text) and `{{mqtt:topic#a.b.0}}` (one value inside a JSON payload). Parsing and filling
 * them is pure; who subscribes to the topics is the MQTT layer's business.
 */

export interface Placeholder {
  /** Where `{{mqtt:…}}` starts and ends (exclusive) in the text. */
  readonly start: number;
  readonly end: number;
  readonly topic: string;
  /** The JSON path's keys (`temperature`, `a.b.0` → `['a','b','0']`); absent = the whole payload. */
  readonly path?: readonly string[];
  /** Written inside a Home Assistant `{{ … }}` or `{% … %}`, where it stands for a value, not text. */
  readonly inExpression: boolean;
}

// A topic has no spaces, `#` or `}` here: the path begins at `#`, and MQTT wildcards are refused anyway.
const PLACEHOLDER = /\{\{\s*mqtt:([^\s#}]+)(?:#([^\s}]*))?\s*\}\}/g;
const HOME_ASSISTANT_SYNTAX = /\{\{|\{%|\{#/;

export function findPlaceholders(text: string): Placeholder[] {
  const found: Array<Omit<Placeholder, 'inExpression'>> = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const path = m[2] === undefined ? undefined : m[2].split('.');
    found.push({ start: m.index, end: m.index + m[0].length, topic: m[1], path });
  }
  const masked = withoutPlaceholders(text, found, (p) => ' '.repeat(p.end - p.start));
  return found.map((p) => ({ ...p, inExpression: insideJinjaTag(masked, p.start) }));
}

/** Whether `text` (placeholders already taken out) still holds Home Assistant template syntax. */
export function hasHomeAssistantSyntax(text: string): boolean {
  return HOME_ASSISTANT_SYNTAX.test(text);
}

/** `text` with each placeholder replaced by `replace(placeholder, index)`. */
export function withoutPlaceholders<P extends { start: number; end: number }>(
  text: string,
  placeholders: readonly P[],
  replace: (p: P, index: number) => string,
): string {
  let out = '';
  let at = 0;
  placeholders.forEach((p, i) => {
    out += text.slice(at, p.start) + replace(p, i);
    at = p.end;
  });
  return out + text.slice(at);
}

/** Whether `position` lies inside an open `{{ … }}` or `{% … %}` of `text`. */
function insideJinjaTag(text: string, position: number): boolean {
  const before = text.slice(0, position);
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open < 0) return false;
  const close = Math.max(before.lastIndexOf('}}'), before.lastIndexOf('%}'));
  return close < open;
}

export type PathValue = { ok: true; value: unknown } | { ok: false; error: string };

/** The value at `path` inside a JSON payload; what is missing is named in the error. */
export function valueAtPath(payload: string, path: readonly string[], topic: string): PathValue {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { ok: false, error: `${topic} does not hold JSON, so it has no ${path.join('.')}` };
  }
  for (const [i, key] of path.entries()) {
    const container = value as Record<string, unknown> | unknown[] | null;
    const has = container !== null && typeof container === 'object' && Object.hasOwn(container, Array.isArray(container) ? Number(key) : key);
    if (!has || (Array.isArray(container) && !/^\d+$/.test(key))) {
      return { ok: false, error: `${topic} has no ${path.slice(0, i + 1).join('.')}` };
    }
    value = Array.isArray(container) ? container[Number(key)] : (container as Record<string, unknown>)[key];
  }
  return { ok: true, value };
}

/** How a value taken from JSON reads on the display: strings as they are, everything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
