#!/usr/bin/env node
// `npm test` needs real system parts (brokers, browser, emulator, toolchains). This checks for
// them first: as root it installs what is missing with apt-get, otherwise it stops with the exact
// command to run. It never lets a missing dependency turn into silently skipped tests.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');

/** Debian package → a file it installs that the tests use. */
const REQUIRED = {
  mosquitto: '/usr/sbin/mosquitto',
  'mosquitto-clients': '/usr/bin/mosquitto_pub',
  chromium: '/usr/bin/chromium',
  'qemu-system-arm': '/usr/bin/qemu-system-arm',
  socat: '/usr/bin/socat',
  openssl: '/usr/bin/openssl',
  curl: '/usr/bin/curl',
  // ss: which addresses the bridge listens on; script: a real terminal for `megabit user add`.
  iproute2: '/usr/bin/ss',
  bsdutils: '/usr/bin/script',
  // Home Assistant's templates (value_template, command_template) rendered with real Jinja.
  'python3-jinja2': '/usr/lib/python3/dist-packages/jinja2/__init__.py',
  // systemd-analyze verify: the unit `megabit service install` writes.
  systemd: '/usr/bin/systemd-analyze',
  // The system's time zone database: apps' local time is read from it (bridge/test/util/tzif.test.ts).
  tzdata: '/usr/share/zoneinfo/Europe/Berlin',
  gcc: '/usr/bin/gcc',
  make: '/usr/bin/make',
  'gcc-arm-none-eabi': '/usr/bin/arm-none-eabi-gcc',
  'libnewlib-arm-none-eabi': '/usr/lib/arm-none-eabi/newlib',
  // The bridge on ARM Node under qemu-user (npm run test:arm): qemu-user-static and the cross C libraries.
  ...require('./arm-node.js').DEBIAN_PACKAGES,
};

function missingPackages() {
  return Object.entries(REQUIRED)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
}

function main() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`The test suite needs these Debian packages: ${missing.join(', ')}.\nInstall them with:\n\n  sudo sh -c '${command}'\n`);
    process.exit(1);
  }
  console.log(`Installing the system packages the test suite needs: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = missingPackages();
  if (result.status !== 0 || still.length > 0) {
    console.error(`apt-get could not install: ${still.join(', ') || missing.join(', ')} (exit ${result.status}).`);
    process.exit(1);
  }
}

main();
