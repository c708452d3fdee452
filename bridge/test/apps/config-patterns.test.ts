/**
 * App config schemas come from whoever installs an app and are checked on the bridge's main
 * thread: their regular expressions run on a linear-time engine. A pattern that makes a
 * backtracking engine take exponential time is answered at once; patterns that need
 * backtracking are refused as an invalid schema.
 */
import type { AppManifest } from '@megabit/contract';
import { ConfigSchemas } from '../../src/apps/app-config';

const EVIL = '^(a+)+$';
/** JavaScript's RegExp needs about 2^n steps for this input against EVIL: never finishes at this length. */
const LONG_INPUT = `${'a'.repeat(50_000)}!`;

function manifest(config: Record<string, unknown>): AppManifest {
  return { id: 'app', name: 'App', version: '1.0.0', bin: 'app.wasm', refresh_period_ms: 100, config };
}

function resolve(config: Record<string, unknown>, value: unknown): { config: unknown } | { error: string } {
  const schemas = new ConfigSchemas();
  return schemas.resolve('app', manifest(config), value);
}

describe('regular expressions in app config schemas', () => {
  it('"pattern" with a catastrophic-backtracking pattern and a long value is refused with the reason', () => {
    const schema = { type: 'object', properties: { name: { type: 'string', pattern: EVIL } } };
    expect(resolve(schema, { name: LONG_INPUT })).toEqual({ error: `config.name must match pattern "${EVIL}"` });
    expect(resolve(schema, { name: 'aaaa' })).toEqual({ config: { name: 'aaaa' } });
  });

  it('"patternProperties" and "propertyNames" run on the same engine', () => {
    const byPattern = { type: 'object', patternProperties: { [EVIL]: { type: 'integer' } }, additionalProperties: false };
    expect(resolve(byPattern, { aaa: 1 })).toEqual({ config: { aaa: 1 } });
    expect(resolve(byPattern, { [LONG_INPUT]: 1 })).toEqual({ error: `unknown field "config.${LONG_INPUT}"` });
    const byName = { type: 'object', propertyNames: { pattern: EVIL } };
    expect(resolve(byName, { [LONG_INPUT]: 1 })).toMatchObject({ error: expect.stringContaining(`must match pattern "${EVIL}"`) });
  });

  it('patterns keep JSON Schema semantics: an unanchored search, Unicode classes, several patterns apart', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string', pattern: 'b+c' }, b: { type: 'string', pattern: '^\\p{L}+$' }, c: { type: 'string', pattern: '^\\d{2}$' } },
    };
    expect(resolve(schema, { a: 'xxbbcyy', b: 'Grüße', c: '42' })).toEqual({ config: { a: 'xxbbcyy', b: 'Grüße', c: '42' } });
    expect(resolve(schema, { a: 'xc' })).toEqual({ error: 'config.a must match pattern "b+c"' });
    expect(resolve(schema, { c: '421' })).toEqual({ error: 'config.c must match pattern "^\\d{2}$"' });
  });

  it('a pattern that needs backtracking (lookahead, backreference) makes the schema invalid', () => {
    const schemas = new ConfigSchemas();
    expect(schemas.prepare('app', manifest({ type: 'string', pattern: '(?=a)a' }))).toMatch(/^"config" is not a valid JSON schema: .*\(\?=/);
    expect(schemas.prepare('app', manifest({ type: 'string', pattern: '(a)\\1' }))).toMatch(/^"config" is not a valid JSON schema: /);
  });

  it('"format" is an annotation: no format code runs on the value', () => {
    const schema = { type: 'object', properties: { mail: { type: 'string', format: 'email' }, re: { type: 'string', format: 'regex' } } };
    expect(resolve(schema, { mail: LONG_INPUT, re: '(a+)+' })).toEqual({ config: { mail: LONG_INPUT, re: '(a+)+' } });
  });
});
