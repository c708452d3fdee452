/**
 * The example apps' config validators the build writes as code (so the bridge does not compile
 * their schemas at each start) are the validators Ajv compiles from the same schemas: same
 * defaults filled in, same first error, on good and bad configs. The store uses the code only for
 * a schema it was made from; any other schema is compiled, as before.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppManifest } from '@megabit/contract';
import { ConfigSchemas } from '../../src/apps/app-config';
import { configValidatorsCode, prebuiltValidators } from '../../src/apps/config-validator-code';

const EXAMPLES = join(__dirname, '..', '..', '..', 'apps', 'examples');
const manifests = readdirSync(EXAMPLES)
  .sort()
  .map((name) => JSON.parse(readFileSync(join(EXAMPLES, name, 'manifest.json'), 'utf8')) as AppManifest);
const EVIL = '^(a+)+$';
const evil: AppManifest = {
  id: 'evil',
  name: 'Evil',
  version: '1.0.0',
  bin: 'evil.wasm',
  refresh_period_ms: 100,
  config: { type: 'object', properties: { name: { type: 'string', pattern: EVIL } } },
};

// Inside the checkout, as the build's output is: the code requires Ajv's runtime helpers from node_modules.
const scratch = mkdtempSync(join(__dirname, '..', '..', '.megabit-test-config-validators-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const codeFile = join(scratch, 'config-validators.code.js');
const schemas = [...manifests, evil].map((m) => ({ app: m.id, schema: m.config! }));
writeFileSync(codeFile, configValidatorsCode(schemas, join(__dirname, '..', '..', 'src', 'apps', 'linear-regexp')));
const fromCode = prebuiltValidators(codeFile);

/** Configs each example is tried with: nothing, every property a wrong type, an unknown field, and its defaults. */
function configsFor(m: AppManifest): unknown[] {
  const properties = Object.keys((m.config as { properties?: object }).properties ?? {});
  return [
    {},
    { not_a_field: 1 },
    Object.fromEntries(properties.map((p) => [p, { wrong: 'type' }])),
    ...properties.map((p) => ({ [p]: 'zz' })),
    ...properties.map((p) => ({ [p]: 3 })),
    'not an object',
  ];
}

describe("the example apps' config validators as code", () => {
  it('exist for every example with a schema (the comparison below is not of two compiled validators)', () => {
    const withSchema = manifests.filter((m) => m.config);
    expect(withSchema.length).toBeGreaterThanOrEqual(6);
    for (const m of withSchema) expect(fromCode(JSON.stringify(m.config))).toBeInstanceOf(Function);
  });

  it.each(manifests.map((m) => [m.id, m] as const))('agree with the compiled schema of %s: defaults filled in, the same error', (_id, m) => {
    const coded = new ConfigSchemas(fromCode);
    const compiled = new ConfigSchemas(() => undefined);
    for (const config of configsFor(m)) expect(coded.resolve(m.id, m, config)).toEqual(compiled.resolve(m.id, m, config));
    // Some of those configs were refused: the validators do check.
    expect(configsFor(m).some((config) => 'error' in coded.resolve(m.id, m, config))).toBe(true);
  });

  it('run patterns on the linear-time engine, compiled on first use', () => {
    const coded = new ConfigSchemas(fromCode);
    expect(coded.resolve('evil', evil, { name: `${'a'.repeat(50_000)}!` })).toEqual({ error: `config.name must match pattern "${EVIL}"` });
    expect(coded.resolve('evil', evil, { name: 'aaaa' })).toEqual({ config: { name: 'aaaa' } });
  });

  it('are not used for a schema they were not made from: that one is compiled, and its errors found', () => {
    const clock = manifests.find((m) => m.id === 'clock')!;
    const changed: AppManifest = { ...clock, config: { type: 'object', properties: { hour24: { type: 'string' } } } };
    expect(fromCode(JSON.stringify(changed.config))).toBeUndefined();
    expect(new ConfigSchemas(fromCode).resolve('clock', changed, { hour24: true })).toEqual({ error: 'config.hour24 must be of type string' });
    const bad: AppManifest = { ...clock, config: { type: 'nonsense' } };
    expect(new ConfigSchemas(fromCode).prepare('clock', bad)).toContain('"config" is not a valid JSON schema');
  });

  it('are refused at build time for a pattern the linear engine cannot run, naming the app', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', pattern: '(?=a)' } } };
    expect(() => configValidatorsCode([{ app: 'lookahead', schema }])).toThrow(/app "lookahead": its "config" schema does not compile/);
  });

  it('find nothing when the code was never built: every schema is compiled', () => {
    expect(prebuiltValidators(join(scratch, 'missing.js'))(JSON.stringify(manifests[0].config))).toBeUndefined();
  });
});
