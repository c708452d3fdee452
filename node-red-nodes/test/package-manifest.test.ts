/**
 * The package claims only what is tested: the Node.js lines the whole repository runs on (the
 * root's engines), and the Node-RED lines the nodes' tests run on (4.1, and 5 under
 * `npm run test:node-red5`), checked with the semver Node-RED itself uses to accept a module.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../bridge/test/helpers/bridge-process';
import { nodeRedModule, nodeRedVersion } from './helpers/node-red-runtime';

interface Manifest {
  engines: { node: string };
  'node-red': { version: string };
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Manifest;
const semver = require(nodeRedModule('semver')) as { satisfies(version: string, range: string): boolean };

describe('node-red-nodes/package.json', () => {
  it('asks for the Node.js lines the repository is tested on', () => {
    expect(manifest('node-red-nodes').engines.node).toBe(manifest('.').engines.node);
  });

  it('admits the Node-RED under test, and no major line nobody tested', () => {
    const range = manifest('node-red-nodes')['node-red'].version;
    expect(semver.satisfies(nodeRedVersion(), range)).toBe(true);
    expect(semver.satisfies('4.0.5', range)).toBe(false);
    expect(semver.satisfies('6.0.0', range)).toBe(false);
  });
});
