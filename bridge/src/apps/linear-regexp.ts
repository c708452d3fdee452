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

type Re2 = typeof import('re2js').RE2JS;

let re2: Re2 | undefined;
/** RE2 is loaded with the first pattern compiled: a start with no schema to compile never loads it. */
function engine(): Re2 {
  re2 ??= (require('re2js') as typeof import('re2js')).RE2JS;
  return re2;
}

function compile(pattern: string): { test(input: string): boolean } {
  const RE2JS = engine();
  return RE2JS.compile(RE2JS.translateRegExp(pattern));
}

function like(pattern: string, flags: string, test: (input: string) => boolean): RegExpLike {
  const out: RegExpLike & { toString(): string } = {
    test,
    // Ajv caches compiled patterns by this string: it must differ per pattern.
    toString: () => `/${pattern}/${flags}`,
  };
  return out;
}

function linearRegExp(pattern: string, flags: string): RegExpLike {
  const compiled = compile(pattern);
  // JSON Schema patterns are unanchored searches, like RegExp#test.
  return like(pattern, flags, (input) => compiled.test(input));
}

/** `code` only matters for Ajv's standalone code generation, which uses CONFIG_CODE_REGEXP. */
export const LINEAR_REGEXP: RegExpEngine = Object.assign(linearRegExp, { code: 'linearRegExp' });

/**
 * The same engine for validator code made by the build (./config-validator-code.ts) from schemas
 * whose patterns compiled then: it compiles each pattern on its first use, so loading that code
 * compiles nothing. Never for a schema not compiled before: a bad pattern would pass its compile.
 */
export function deferredLinearRegExp(pattern: string, flags: string): RegExpLike {
  let compiled: { test(input: string): boolean } | undefined;
  return like(pattern, flags, (input) => {
    compiled ??= compile(pattern);
    return compiled.test(input);
  });
}
