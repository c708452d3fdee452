/**
 * App config validators made by the build, for the example apps the bridge ships. Compiling the
 * six example schemas with Ajv was most of a first start's `device` phase (and loading Ajv a good
 * part of its module load), so `bridge/scripts/build-config-validators.js` writes their compiled
 * code beside this module, keyed by the hash of each schema (and of the options it was compiled
 * with). `ConfigSchemas` uses that code for a schema with the same hash and compiles any other
 * schema itself, as before: an app installed later, or a tree built by `tsc -b` alone.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Options, ValidateFunction } from 'ajv';
import { LINEAR_REGEXP } from './linear-regexp';

/** Where the build writes the code: beside this module's compiled form. */
export const CONFIG_VALIDATORS_CODE = join(__dirname, 'config-validators.code.js');

/**
 * The options every app config schema is compiled with, both ways (the regular expression engine
 * apart: the code gets the same engine, compiling each pattern on its first use). addUsedSchema:
 * false keeps schemas out of Ajv's registry, so two apps may use the same "$id". Patterns come from
 * whoever installed the app and run on the main thread: a linear-time engine, never the
 * backtracking RegExp. No format is validated (Ajv has none built in; the bridge adds none):
 * "format" is an annotation only, so no format code sees the config either.
 */
export const CONFIG_AJV_OPTIONS = {
  allErrors: false,
  useDefaults: true,
  strict: false,
  addUsedSchema: false,
  validateFormats: false,
} as const satisfies Options;

/** What the code is looked up by: the schema's JSON text (as `JSON.stringify` gives it) and the options. */
export function configSchemaKey(schemaText: string): string {
  return createHash('sha256')
    .update(`${JSON.stringify(CONFIG_AJV_OPTIONS)}\n${schemaText}`)
    .digest('hex');
}

/** The module the generated validators take their pattern engine from: the code file sits beside linear-regexp.js. */
const REGEXP_MODULE = './linear-regexp';

/**
 * A CommonJS module exporting, by `configSchemaKey`, each schema's validator as Ajv's standalone
 * code. Throws, naming the app, for a schema Ajv refuses (the build then fails).
 */
export function configValidatorsCode(schemas: ReadonlyArray<{ app: string; schema: object }>, regExpModule = REGEXP_MODULE): string {
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  // Patterns are compiled now, so a bad one fails the build; the code compiles them again when used.
  const regExp = Object.assign((pattern: string, flags: string) => LINEAR_REGEXP(pattern, flags), {
    code: `require(${JSON.stringify(regExpModule)}).deferredLinearRegExp`,
  });
  const lines = ["'use strict';", 'const validators = Object.create(null);'];
  for (const { app, schema } of schemas) {
    const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS, code: { source: true, regExp } });
    let code: string;
    try {
      code = standaloneCode(ajv, ajv.compile(structuredClone(schema)));
    } catch (e) {
      throw new Error(`app "${app}": its "config" schema does not compile: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Each validator in a scope of its own, its `module` a local one: Ajv's names repeat per schema.
    lines.push(
      `// ${app}`,
      `validators[${JSON.stringify(configSchemaKey(JSON.stringify(schema)))}] = (() => {`,
      'const module = { exports: {} };',
      code,
      'return module.exports;',
      '})();',
    );
  }
  lines.push('module.exports = validators;', '');
  return lines.join('\n');
}

export type PrebuiltValidators = (schemaText: string) => ValidateFunction | undefined;

/**
 * The validators in `codeFile`, looked up by schema text; the file is read on the first lookup
 * (none when no app has a schema). Missing or unreadable code finds nothing: schemas are compiled.
 */
export function prebuiltValidators(codeFile = CONFIG_VALIDATORS_CODE): PrebuiltValidators {
  let table: Readonly<Record<string, ValidateFunction>> | undefined;
  return (schemaText) => {
    if (!table) {
      try {
        table = require(codeFile) as Record<string, ValidateFunction>;
      } catch {
        // Not built (the sources run in tests, or a tsc -b alone): every schema is compiled.
        table = {};
      }
    }
    return table[configSchemaKey(schemaText)];
  };
}

/** The build's validators, shared by every `ConfigSchemas` of the process. */
export const BUILT_CONFIG_VALIDATORS: PrebuiltValidators = prebuiltValidators();
