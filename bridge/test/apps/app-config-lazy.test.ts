/**
 * Ajv and RE2 load with the first app that has a config schema (a pattern, for RE2), not with the
 * bridge: checked in a plain Node process on the build, where require.cache lists what loaded.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BRIDGE_CLI } from '../helpers/bridge-process';

const APP_CONFIG = join(BRIDGE_CLI, '..', 'apps', 'app-config.js');

const SCRIPT = `
const { ConfigSchemas } = require(${JSON.stringify(APP_CONFIG)});
const loaded = () => ({
  ajv: Object.keys(require.cache).some((f) => f.includes('/node_modules/ajv/')),
  re2js: Object.keys(require.cache).some((f) => f.includes('/node_modules/re2js/')),
});
const schemas = new ConfigSchemas();
const steps = [];
const step = (result) => steps.push({ result, ...loaded() });
step(schemas.resolve('plain', { id: 'plain' }, {}));
const noPattern = { type: 'object', properties: { n: { type: 'integer', default: 3 } } };
step(schemas.resolve('counted', { id: 'counted', config: noPattern }, {}));
const pattern = { type: 'object', properties: { code: { type: 'string', pattern: '^[a-z]+$' } } };
step(schemas.resolve('coded', { id: 'coded', config: pattern }, { code: 'ABC' }));
process.stdout.write(JSON.stringify(steps));
`;

it('an app without a schema loads neither; a schema loads Ajv; a pattern loads RE2', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT], { timeout: 20_000 });
  const [plain, counted, coded] = JSON.parse(stdout) as Array<{ ajv: boolean; re2js: boolean; result: unknown }>;
  expect(plain).toEqual({ ajv: false, re2js: false, result: { config: {} } });
  expect(counted).toEqual({ ajv: true, re2js: false, result: { config: { n: 3 } } });
  expect(coded.ajv && coded.re2js).toBe(true);
  expect(coded.result).toEqual({ error: 'config.code must match pattern "^[a-z]+$"' });
});
