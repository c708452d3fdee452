/**
 * Checks app configuration objects against the JSON schema in each app's manifest (`config`),
 * and fills in the schema's defaults. Each schema is compiled once per manifest version.
 */
import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { AppManifest } from '@megabit/contract';
import { errorMessage } from '../util/logger';
import { LINEAR_REGEXP } from './linear-regexp';

type Config = Record<string, unknown>;

function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return ['config', ...parts].join('.');
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return `${fieldName(error.instancePath, String(error.params.missingProperty))} is required`;
    case 'additionalProperties':
      return `unknown field "${fieldName(error.instancePath, String(error.params.additionalProperty))}"`;
    case 'enum':
      return `${fieldName(error.instancePath)} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'type':
      return `${fieldName(error.instancePath)} must be ${error.params.type === 'integer' ? 'a whole number' : `of type ${String(error.params.type)}`}`;
    default:
      return `${fieldName(error.instancePath)} ${error.message ?? 'is invalid'}`;
  }
}

function isPlainObject(v: unknown): v is Config {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ConfigSchemas {
  // addUsedSchema: false keeps schemas out of Ajv's registry, so two apps may use the same "$id".
  // Patterns come from whoever installed the app and run on the main thread: a linear-time
  // engine, never the backtracking RegExp. No format is validated (Ajv has none built in; the
  // bridge adds none): "format" is an annotation only, so no format code sees the config either.
  // Made with the first app that has a schema: Ajv and RE2 are ~60 modules a bridge without such
  // an app never needs (docs/performance.md, section 4).
  private ajvInstance?: Ajv;
  private get ajv(): Ajv {
    this.ajvInstance ??= new (require('ajv') as typeof import('ajv')).default({
      allErrors: false,
      useDefaults: true,
      strict: false,
      addUsedSchema: false,
      code: { regExp: LINEAR_REGEXP },
      validateFormats: false,
    });
    return this.ajvInstance;
  }
  /** Per app: the schema it was compiled from, so an upgraded manifest recompiles. */
  private readonly compiled = new Map<string, { schema: object; schemaText: string; validate: ValidateFunction }>();

  /** Compiles the app's schema if needed; returns a problem with the schema itself, if any. */
  prepare(id: string, manifest: AppManifest): string | undefined {
    if (!manifest.config) {
      this.forget(id);
      return undefined;
    }
    // An async schema's validate returns a promise, which would pass every config.
    if (manifest.config.$async === true) return '"config" must be a synchronous JSON schema (no "$async")';
    const schemaText = JSON.stringify(manifest.config);
    if (this.compiled.get(id)?.schemaText === schemaText) return undefined;
    this.forget(id);
    try {
      const schema = structuredClone(manifest.config);
      this.compiled.set(id, { schema, schemaText, validate: this.ajv.compile(schema) });
      return undefined;
    } catch (e) {
      return `"config" is not a valid JSON schema: ${errorMessage(e)}`;
    }
  }

  /** The config with the schema's defaults filled in, or the first problem found. */
  resolve(id: string, manifest: AppManifest, config: unknown): { config: Config } | { error: string } {
    if (!isPlainObject(config)) return { error: 'config must be a JSON object' };
    if (!manifest.config) {
      const key = Object.keys(config)[0];
      return key === undefined ? { config: {} } : { error: `unknown field "config.${key}": app "${id}" has no settings` };
    }
    const schemaProblem = this.prepare(id, manifest);
    if (schemaProblem) return { error: schemaProblem };
    const { validate } = this.compiled.get(id)!;
    const copy = structuredClone(config);
    if (!validate(copy)) return { error: describe(validate.errors![0]) };
    return { config: copy };
  }

  /** Problem of `config` under the app's schema, if any. */
  check(id: string, manifest: AppManifest, config: unknown): string | undefined {
    const r = this.resolve(id, manifest, config);
    return 'error' in r ? r.error : undefined;
  }

  forget(id: string): void {
    const entry = this.compiled.get(id);
    if (!entry) return;
    this.ajvInstance?.removeSchema(entry.schema);
    this.compiled.delete(id);
  }
}
