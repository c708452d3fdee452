#!/usr/bin/env node
/**
 * Writes the example apps' config validators as code into dist/apps/config-validators.code.js,
 * so the bridge does not compile their schemas at start (src/apps/config-validator-code.ts). Run
 * by the build after `tsc -b` has compiled the bridge; reads each example's source manifest (its
 * build copies it as it is); written whole or not at all.
 */
'use strict';
const { readFileSync, readdirSync, renameSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { validateManifest } = require('@megabit/contract');

const dist = join(__dirname, '..', 'dist', 'apps');
const { CONFIG_VALIDATORS_CODE, configValidatorsCode } = require(join(dist, 'config-validator-code.js'));
const examples = join(__dirname, '..', '..', 'apps', 'examples');

const schemas = [];
for (const name of readdirSync(examples).sort()) {
  const file = join(examples, name, 'manifest.json');
  if (!existsSync(file)) continue;
  const checked = validateManifest(JSON.parse(readFileSync(file, 'utf8')));
  if (!checked.ok) throw new Error(`${file}: ${checked.error.message}`);
  if (checked.value.config) schemas.push({ app: checked.value.id, schema: checked.value.config });
}
const temporary = `${CONFIG_VALIDATORS_CODE}.${process.pid}.tmp`;
writeFileSync(temporary, configValidatorsCode(schemas));
renameSync(temporary, CONFIG_VALIDATORS_CODE);
