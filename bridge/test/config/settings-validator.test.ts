/**
 * The settings validator the build writes as code (so the bridge does not compile the schema at
 * each start) is the validator Ajv compiles from the schema: same defaults filled in, same
 * errors, on the example config and on bad ones. The bridge uses the code only when it was made
 * from the schema it runs with; otherwise, or without a build, it compiles the schema itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadSettingsValidator, type SettingsValidate, settingsSchemaHash, settingsValidatorCode } from '../../src/config/settings-validator';

// Inside the checkout, as the build's output is: the code requires Ajv's runtime helpers from node_modules.
const scratch = mkdtempSync(join(__dirname, '..', '..', '.megabit-test-settings-validator-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const codeFile = join(scratch, 'settings-validator.code.js');
writeFileSync(codeFile, settingsValidatorCode());
const fromCode = require(codeFile) as SettingsValidate;
const compiled = loadSettingsValidator(join(scratch, 'missing.js'));

const EXAMPLE = parseYaml(readFileSync(join(__dirname, '..', '..', '..', 'config', 'megabit.example.yaml'), 'utf8')) as Record<string, unknown>;
const DOCS: Array<[string, unknown]> = [
  ['nothing (every default)', {}],
  ['the example config (its serial section is all comments, so null: an error)', EXAMPLE],
  ['a valid one', { device_id: 'kitchen', http: { port: 8080 }, display: { brightness: 10 } }],
  ['a wrong type', { http: { port: 'eighty' } }],
  ['an unknown key and a value out of its enum', { colour: 'red', log_level: 'loud' }],
  ['a bad device id and a negative number', { device_id: 'Not OK', display: { brightness: -1 } }],
];

/** What a validator makes of `doc`: the result, the document with defaults filled in, and the errors. */
function outcome(validate: SettingsValidate, doc: unknown) {
  const copy = structuredClone(doc);
  const ok = validate(copy);
  return { ok, copy, errors: (validate.errors ?? []).map(({ instancePath, keyword, params }) => ({ instancePath, keyword, params })) };
}

describe('the settings validator as code', () => {
  it.each(DOCS)('agrees with the compiled schema on %s', (_what, doc) => {
    expect(outcome(fromCode, doc)).toEqual(outcome(compiled, doc));
  });

  it('finds what it should (the comparison is not of two validators that pass everything)', () => {
    expect(outcome(fromCode, {}).ok).toBe(true);
    const kitchen = outcome(fromCode, { device_id: 'kitchen', http: { port: 8080 } });
    expect(kitchen.ok).toBe(true);
    expect(kitchen.copy).toMatchObject({ device_id: 'kitchen', http: { port: 8080, max_connections: 64 }, mqtt: { base_topic: 'megabit' } });
    expect(outcome(fromCode, { http: { port: 'eighty' } }).errors).toEqual([expect.objectContaining({ instancePath: '/http/port', keyword: 'type' })]);
  });

  it('is used when it was made from this schema', () => {
    expect(loadSettingsValidator(codeFile)).toBe(fromCode);
  });

  it('is not used when the schema changed since (a tsc -b without the build step): the schema is compiled instead', () => {
    const stale = join(scratch, 'stale.code.js');
    writeFileSync(stale, readFileSync(codeFile, 'utf8').replace(settingsSchemaHash(), '0'.repeat(64)));
    const loaded = loadSettingsValidator(stale);
    expect(loaded).not.toBe(require(stale));
    expect(outcome(loaded, { http: { port: 'eighty' } })).toEqual(outcome(compiled, { http: { port: 'eighty' } }));
  });
});
