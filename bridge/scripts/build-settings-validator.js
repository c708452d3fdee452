#!/usr/bin/env node
/**
 * Writes the settings schema's validator as code into dist/config/settings-validator.code.js, so
 * the bridge does not compile the schema at every start (src/config/settings-validator.ts). Run
 * by the build after `tsc -b` has compiled the bridge; written whole or not at all.
 */
'use strict';
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { SETTINGS_VALIDATOR_CODE, settingsValidatorCode } = require(join(__dirname, '..', 'dist', 'config', 'settings-validator.js'));
const temporary = `${SETTINGS_VALIDATOR_CODE}.${process.pid}.tmp`;
writeFileSync(temporary, settingsValidatorCode());
renameSync(temporary, SETTINGS_VALIDATOR_CODE);
