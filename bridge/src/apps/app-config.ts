/**
 * Checks app configuration objects against the JSON schema in each app's manifest (`config`),
 * and fills in the schema's defaults. Each schema is compiled once per manifest version, or taken
 * from the code the build made for the example apps (./config-validator-code.ts); Ajv itself is
 * loaded with the first schema that must be compiled.
 */
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { AppManifest } from '@megabit/contract';
import { errorMessage } from '../util/logger';
import { BUILT_CONFIG_VALIDATORS, CONFIG_AJV_OPTIONS, type PrebuiltValidators } from './config-validator-code';
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

/**
 * Ajv keeps every schema it compiled, with its generated code, in the instance's value scope for
 * as long as the instance lives; `removeSchema` does not let go of them (measured: about 3.6 KiB
 * kept per compile). An app whose schema changes, or that is removed and installed again, would
 * so cost a little memory for good each time. Instead, once this many schemas have been dropped
 * (or as many as are in use, if more), the instance is replaced and the schemas in use compiled
 * again on a fresh one: what is kept of dropped schemas stays bounded, and a renewal (a new Ajv,
 * some tens of ms) comes only after that many drops.
 */
export const DROPPED_BEFORE_RENEWAL = 16;

export class ConfigSchemas {
  private ajv?: Ajv;
  /** Schemas compiled on the current Ajv and dropped since (it still holds them). */
  private dropped = 0;
  /** Per app: the schema it was compiled from (so an upgraded manifest recompiles), and whether Ajv holds it. */
  private readonly compiled = new Map<string, { schema: object; schemaText: string; validate: ValidateFunction; inAjv: boolean }>();

  /** `prebuilt`: validators made by the build, by schema text; the schemas they lack are compiled. */
  constructor(private readonly prebuilt: PrebuiltValidators = BUILT_CONFIG_VALIDATORS) {}

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
    const built = this.prebuilt(schemaText);
    if (built) {
      this.compiled.set(id, { schema: manifest.config, schemaText, validate: built, inAjv: false });
      return undefined;
    }
    try {
      const schema = structuredClone(manifest.config);
      this.compiled.set(id, { schema, schemaText, validate: this.compiler().compile(schema), inAjv: true });
      return undefined;
    } catch (e) {
      // What Ajv took in of a schema it refused stays in it too.
      this.drop();
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
    this.compiled.delete(id);
    // A validator the build made is not held by Ajv: nothing to let go of.
    if (entry.inAjv) this.drop();
  }

  /** One more schema the current Ajv holds for nothing; renews it when that makes enough. */
  private drop(): void {
    this.dropped++;
    if (this.dropped >= Math.max(DROPPED_BEFORE_RENEWAL, this.compiled.size)) this.renew();
  }

  /** A fresh Ajv with only the schemas in use: the old one goes, and all it held with it. */
  private renew(): void {
    this.ajv = undefined;
    this.dropped = 0;
    for (const [id, entry] of this.compiled) {
      if (entry.inAjv) this.compiled.set(id, { ...entry, validate: this.compiler().compile(entry.schema) });
    }
  }

  /** Ajv, loaded with the first schema the build did not make a validator for. */
  private compiler(): Ajv {
    if (!this.ajv) {
      const AjvClass = (require('ajv') as typeof import('ajv')).default;
      this.ajv = new AjvClass({ ...CONFIG_AJV_OPTIONS, code: { regExp: LINEAR_REGEXP } });
    }
    return this.ajv;
  }
}
