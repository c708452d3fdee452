#!/usr/bin/env node
// `prepack` of bridge/package.json: a plain `npm pack` (or `npm publish`) here makes a tarball
// that fails to install with E404, since @megabit/contract and @megabit/fonts are workspace
// packages that are not published. scripts/pack-bridge.js (`npm run pack` at the root) bundles
// them; it packs a staged copy whose package.json has no scripts, so this never runs there.
process.stderr.write(
  'megabit-bridge: a plain "npm pack" of bridge/ cannot be installed (its workspace packages @megabit/contract and @megabit/fonts are not published).\n' +
    'Run "npm run pack" at the root of the checkout instead: it writes pack/megabit-bridge-<version>.tgz with them inside.\n',
);
process.exit(1);
