/** Where the bridge finds the example apps it installs on a first run: the package's or the checkout's. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedExampleAppDirs } from '../../src/apps/shipped-examples';

function app(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), '{}');
}

describe('shippedExampleAppDirs', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'megabit-examples-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes examples/<name>/ of an installed package, in name order, folders with a manifest only', () => {
    const pkg = join(root, 'lib', 'node_modules', 'megabit-bridge');
    app(join(pkg, 'examples', 'life'));
    app(join(pkg, 'examples', 'clock'));
    mkdirSync(join(pkg, 'examples', 'empty'));
    expect(shippedExampleAppDirs(pkg)).toEqual([join(pkg, 'examples', 'clock'), join(pkg, 'examples', 'life')]);
  });

  it('takes apps/examples/<name>/build/ beside the bridge in a checkout, the built ones only', () => {
    const bridge = join(root, 'bridge');
    mkdirSync(bridge);
    app(join(root, 'apps', 'examples', 'plasma', 'build'));
    mkdirSync(join(root, 'apps', 'examples', 'unbuilt'), { recursive: true });
    expect(shippedExampleAppDirs(bridge)).toEqual([join(root, 'apps', 'examples', 'plasma', 'build')]);
  });

  it("finds this checkout's built examples by default", () => {
    const dirs = shippedExampleAppDirs();
    expect(dirs.length).toBeGreaterThanOrEqual(3);
    for (const dir of dirs) expect(dir).toMatch(/apps\/examples\/[a-z]+\/build$/);
  });

  it('is empty where there are none', () => {
    expect(shippedExampleAppDirs(join(root, 'nothing'))).toEqual([]);
  });
});
