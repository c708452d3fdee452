/**
 * Where `JSON.parse` gave up, said without its message: V8 quotes the text it could not parse,
 * and that text may be an API key (an app's config), while the reason goes into replies and
 * P/state that others can read.
 */
export function jsonErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('Unexpected end of JSON input')) return ' (it ends too soon)';
  const position = /at position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1])).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
