/**
 * The regular expression engine Ajv uses for app config schemas (`pattern`, `patternProperties`,
 * `propertyNames`). Those patterns come from app manifests, i.e. from whoever installed the app,
 * and run on the bridge's main thread: with JavaScript's backtracking RegExp a pattern like
 * `^(a+)+$` and a 30-character config value stalls MQTT and HTTP for minutes. RE2 (here its pure
 * JavaScript port, which also installs on ARM without a compiler) matches in time linear in the
 * input. It refuses what cannot be matched that way (lookaround, backreferences); Ajv then
 * reports the schema as invalid, which refuses the install with the reason.
 */
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';

function linearRegExp(pattern: string, flags: string): RegExpLike {
  // Loaded with the first pattern: most app schemas have none.
  const { RE2JS } = require('re2js') as typeof import('re2js');
  const compiled = RE2JS.compile(RE2JS.translateRegExp(pattern));
  const like: RegExpLike & { toString(): string } = {
    // JSON Schema patterns are unanchored searches, like RegExp#test.
    test: (input: string) => compiled.test(input),
    // Ajv caches compiled patterns by this string: it must differ per pattern.
    toString: () => `/${pattern}/${flags}`,
  };
  return like;
}

/** `code` only matters for Ajv's standalone code generation, which the bridge does not use. */
export const LINEAR_REGEXP: RegExpEngine = Object.assign(linearRegExp, { code: 'linearRegExp' });
