/**
 * The settings schema's validator. Compiling the schema with Ajv was the costliest thing the
 * bridge did while loading its modules, so the build writes the compiled code beside the compiled
 * schema (`bridge/scripts/build-settings-validator.js` calls `settingsValidatorCode`); the bridge
 * uses that code when it was made from the same schema (the hash of its JSON), else compiles the
 * schema itself, as before (tests run the sources; a `tsc -b` alone leaves the code stale).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { SETTINGS_SCHEMA } from './schema';

/** Validates and fills in defaults, in place; `errors` says what was wrong after a false. */
export interface SettingsValidate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Where the build writes the code: beside this module's compiled form. */
export const SETTINGS_VALIDATOR_CODE = join(__dirname, 'settings-validator.code.js');

/** The same options both ways, so both make the same validator. */
const OPTIONS = { allErrors: true, useDefaults: true, strict: false } as const;

export function settingsSchemaHash(): string {
  return createHash('sha256').update(JSON.stringify(SETTINGS_SCHEMA)).digest('hex');
}

/** The validator as a CommonJS module (Ajv's standalone code) that also exports the schema's hash. */
export function settingsValidatorCode(): string {
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  const ajv = new Ajv({ ...OPTIONS, code: { source: true } });
  // The module is the validate function itself; the hash rides on it.
  return `${standaloneCode(ajv, ajv.compile(SETTINGS_SCHEMA))}\nmodule.exports.schemaHash = ${JSON.stringify(settingsSchemaHash())};\n`;
}

/** The validator from `codeFile` when that was made from this schema, else compiled now. */
export function loadSettingsValidator(codeFile = SETTINGS_VALIDATOR_CODE): SettingsValidate {
  let code: (SettingsValidate & { schemaHash?: string }) | undefined;
  try {
    code = require(codeFile) as SettingsValidate & { schemaHash?: string };
  } catch {
    // Not built (the sources run in tests): compiled below.
  }
  if (code && code.schemaHash === settingsSchemaHash()) return code;
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  return new Ajv(OPTIONS).compile(SETTINGS_SCHEMA);
}

let validate: SettingsValidate | undefined;

/** The validator, made on first use. */
export function settingsValidator(): SettingsValidate {
  validate ??= loadSettingsValidator();
  return validate;
}
