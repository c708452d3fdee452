/**
 * Which Node-RED the tests run: the repository's dev dependency (4.1), or the installation
 * MEGABIT_NODE_RED points at (its `node_modules/node-red` folder), which is how
 * `npm run test:node-red5` (scripts/test-node-red5.js) runs the same tests on Node-RED 5.
 */
import { dirname, join } from 'node:path';

const chosen = process.env.MEGABIT_NODE_RED;

/** The main module of the Node-RED under test (what node-red-node-test-helper's init takes). */
export const NODE_RED = chosen ? require.resolve(chosen) : require.resolve('node-red');

/** Its command-line entry, to start it as a user would. */
export const NODE_RED_CLI = join(dirname(NODE_RED), '..', 'red.js');

/** A module as the Node-RED under test resolves it (its own `@node-red/nodes`, ...). */
export function nodeRedModule(id: string): string {
  return require.resolve(id, { paths: [dirname(NODE_RED)] });
}

/** The Node-RED version under test, from its package.json. */
export function nodeRedVersion(): string {
  return (require(join(dirname(NODE_RED), '..', 'package.json')) as { version: string }).version;
}
