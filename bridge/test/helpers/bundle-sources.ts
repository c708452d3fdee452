/**
 * Bundles TypeScript sources into one CommonJS file for a process jest does not transform (a
 * child the test spawns, a Node-RED runtime), with the contract taken from its sources, as the
 * tests themselves take it (jest.config.js, moduleNameMapper).
 */
import { join } from 'node:path';
import { type BuildOptions, buildSync, stop } from 'esbuild';
import { REPO_ROOT } from './bridge-process';

const CONTRACT_SOURCES = join(REPO_ROOT, 'contract', 'src', 'index.ts');

export function bundleForNode(options: BuildOptions): void {
  buildSync({
    bundle: true,
    platform: 'node',
    format: 'cjs',
    ...options,
    alias: { '@megabit/contract': CONTRACT_SOURCES, ...options.alias },
  });
  // buildSync's service thread would live as long as jest's worker process, which loads esbuild
  // afresh for every test file: one more thread each.
  void stop();
}
