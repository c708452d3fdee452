/**
 * A plain `npm pack` inside bridge/ would make a tarball that installs with E404 (its workspace
 * packages are not published): its prepack refuses and points to `npm run pack`. The staged copy
 * that scripts/pack-bridge.js packs carries no scripts, so the refusal never fires there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/bridge-process';

jest.setTimeout(60_000);

const { packageJson } = require('../../../scripts/pack-bridge.js') as { packageJson: (bridge: unknown, bundled: string[]) => Record<string, unknown> };

describe('npm pack inside bridge/', () => {
  let destination: string;
  beforeEach(() => {
    destination = mkdtempSync(join(tmpdir(), 'megabit-plain-pack-'));
  });
  afterEach(() => rmSync(destination, { recursive: true, force: true }));

  it('refuses, points to npm run pack at the root, and writes no tarball', () => {
    const run = spawnSync('npm', ['pack', '--pack-destination', destination], { cwd: join(REPO_ROOT, 'bridge'), encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Run "npm run pack" at the root of the checkout instead');
    expect(readdirSync(destination)).toEqual([]);
  });

  it('does not refuse in the staged copy scripts/pack-bridge.js packs: its package.json has no scripts', () => {
    const bridge = JSON.parse(readFileSync(join(REPO_ROOT, 'bridge', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(bridge.scripts.prepack).toBeDefined();
    expect(packageJson(bridge, ['@megabit/contract']).scripts).toBeUndefined();
  });
});
