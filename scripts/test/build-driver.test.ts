/**
 * The build driver that `npm start` runs (scripts/build-steps/): a step runs again exactly when one of
 * its inputs changed, its output is gone or it failed last time, and a step that rewrites a later
 * step's inputs (fonts → SDK → apps) makes that one run too. On a scratch tree laid out like the
 * repository, with the real step list; each step is "run" by writing its outputs, as the real one does.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, runCommand } from '../build-steps/driver';
import { buildSteps } from '../build-steps/steps';

const ROOT = join(__dirname, '..', '..');
const APPS = ['clock', 'sensor'];

interface Step {
  name: string;
  cwd: string;
  command: string;
  inputs: string[];
  outputs: string[];
  ignore: string[];
  generated: string[];
}

let scratch: string;
let tree: string;
let clock = Date.now() / 1000;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'megabit-build-driver-'));
  tree = join(scratch, 'repo');
  makeTree(tree);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function write(rel: string, content = `// ${rel}\n`): void {
  const file = join(tree, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** Gives the file a modification time later than any before, as an editor's save or `touch` does. */
function touch(rel: string): void {
  clock += 10;
  utimesSync(join(tree, rel), clock, clock);
}

function packageJson(dir: string, scripts: Record<string, string>): void {
  write(`${dir}/package.json`, JSON.stringify({ name: dir, scripts }));
}

/** The repository's layout, with one or two files where the real one has many. */
function makeTree(root: string): void {
  mkdirSync(root, { recursive: true });
  tree = root;
  write('package.json', JSON.stringify({ workspaces: ['contract', 'fonts', 'bridge', 'apps/sdk', 'apps/examples/*', 'node-red-nodes'] }));
  write('package-lock.json', '{}');
  write('tsconfig.base.json', '{}');
  packageJson('contract', {});
  for (const file of ['contract/tsconfig.json', 'contract/src/index.ts', 'fonts/tsconfig.json', 'fonts/src/index.ts', 'bridge/tsconfig.json']) write(file);
  for (const file of ['bridge/src/cli.ts', 'bridge/src/device/device.ts', 'bridge/src/config/schema.ts', 'bench/run.ts', 'bench/tsconfig.json']) write(file);
  packageJson('fonts', { build: 'node scripts/convert.js' });
  write('fonts/scripts/convert.js');
  packageJson('bridge', { build: 'node scripts/build-simulator.js' });
  write('bridge/scripts/build-simulator.js');
  write('bridge/simulator/main.ts');
  packageJson('apps/sdk', { build: 'node bin/gen-unicode-fonts.js' });
  for (const file of ['apps/sdk/bin/gen-unicode-fonts.js', 'apps/sdk/bin/build-app.js', 'apps/sdk/assembly/index.ts', 'apps/sdk/index.ts']) write(file);
  for (const app of APPS) {
    packageJson(`apps/examples/${app}`, { build: 'node ../../sdk/bin/build-app.js .' });
    write(`apps/examples/${app}/manifest.json`, JSON.stringify({ id: app }));
    write(`apps/examples/${app}/assembly/index.ts`);
  }
  write('apps/examples/sensor/images/sun.png', 'png');
  packageJson('node-red-nodes', { build: 'node scripts/build.js' });
  for (const file of ['node-red-nodes/src/nodes/megabit-notify.ts', 'node-red-nodes/editor/megabit-notify.html', 'node-red-nodes/scripts/build.js'])
    write(file);
}

/** Runs the build on the scratch tree; returns the names of the steps that ran. A step "runs" by writing its outputs. */
function runBuild(onlyChanged = true, fail?: string): string[] {
  const ran: string[] = [];
  build({
    root: tree,
    steps: buildSteps(tree),
    onlyChanged,
    run: (_root: string, step: Step) => {
      ran.push(step.name);
      if (step.name === fail) throw new Error(`${step.name} failed`);
      for (const output of [...step.outputs, ...step.generated]) {
        write(output, `built at ${ran.length}\n`);
        touch(output);
      }
    },
  });
  return ran;
}

const ALL = [
  'typescript',
  'settings validator',
  'config validators',
  'fonts',
  'bridge',
  'apps/sdk',
  'apps/examples/clock',
  'apps/examples/sensor',
  'node-red-nodes',
];

describe('npm start: the build steps that run', () => {
  it('on a tree never built here, every step; right after, none', () => {
    expect(runBuild()).toEqual(ALL);
    expect(runBuild()).toEqual([]);
  });

  it('after npm run build (every step, stamped), none', () => {
    expect(runBuild(false)).toEqual(ALL);
    expect(runBuild()).toEqual([]);
  });

  it('a .ts file of the bridge touched: the TypeScript step only', () => {
    runBuild();
    touch('bridge/src/device/device.ts');
    expect(runBuild()).toEqual(['typescript']);
    expect(runBuild()).toEqual([]);
  });

  it('a .ts file of the bridge edited to the same size: the TypeScript step', () => {
    runBuild();
    write('bridge/src/cli.ts', '// bridge/src/cli.tx\n');
    expect(runBuild()).toEqual(['typescript']);
  });

  it('the settings schema touched: the TypeScript step, then the settings validator made from it', () => {
    runBuild();
    touch('bridge/src/config/schema.ts');
    expect(runBuild()).toEqual(['typescript', 'settings validator']);
  });

  it('a file added to or removed from the bridge sources: the TypeScript step', () => {
    runBuild();
    write('bridge/src/new-part.ts');
    expect(runBuild()).toEqual(['typescript']);
    rmSync(join(tree, 'bridge/src/new-part.ts'));
    expect(runBuild()).toEqual(['typescript']);
  });

  it("an app's manifest touched: that app, and the config validators made from the examples' schemas", () => {
    runBuild();
    touch('apps/examples/clock/manifest.json');
    expect(runBuild()).toEqual(['config validators', 'apps/examples/clock']);
  });

  it("an app's source touched: that app only", () => {
    runBuild();
    touch('apps/examples/clock/assembly/index.ts');
    expect(runBuild()).toEqual(['apps/examples/clock']);
  });

  it("an app's image changed: that app, whose build turns it into a source", () => {
    runBuild();
    touch('apps/examples/sensor/images/sun.png');
    expect(runBuild()).toEqual(['apps/examples/sensor']);
    // The sensor's generated icons.ts, rewritten by that build, is its output, not a change.
    expect(runBuild()).toEqual([]);
  });

  it('a font input touched: the fonts, then the SDK that packs them, then every app that links the SDK', () => {
    runBuild();
    touch('fonts/scripts/convert.js');
    expect(runBuild()).toEqual(['fonts', 'apps/sdk', 'apps/examples/clock', 'apps/examples/sensor']);
    expect(runBuild()).toEqual([]);
  });

  it('the SDK touched: every app', () => {
    runBuild();
    touch('apps/sdk/assembly/index.ts');
    expect(runBuild()).toEqual(['apps/examples/clock', 'apps/examples/sensor']);
  });

  it('the contract touched: the TypeScript step and everything that bundles or checks with it', () => {
    runBuild();
    touch('contract/src/index.ts');
    expect(runBuild()).toEqual([
      'typescript',
      'settings validator',
      'config validators',
      'bridge',
      'apps/examples/clock',
      'apps/examples/sensor',
      'node-red-nodes',
    ]);
  });

  it('the simulator page touched: the bridge workspace step only', () => {
    runBuild();
    touch('bridge/simulator/main.ts');
    expect(runBuild()).toEqual(['bridge']);
  });

  it('the lockfile changed (a dependency installed or upgraded): every step', () => {
    runBuild();
    touch('package-lock.json');
    expect(runBuild()).toEqual(ALL);
  });

  it("a step's output deleted: that step", () => {
    runBuild();
    rmSync(join(tree, 'apps/examples/clock/build'), { recursive: true });
    expect(runBuild()).toEqual(['apps/examples/clock']);
  });

  it("a step's build script changed: that step", () => {
    runBuild();
    packageJson('node-red-nodes', { build: 'node scripts/build.js --minify' });
    expect(runBuild()).toContain('node-red-nodes');
  });

  it('a step that failed: it runs again next time, the steps after it too, and the error is thrown', () => {
    runBuild();
    touch('fonts/scripts/convert.js');
    expect(() => runBuild(true, 'fonts')).toThrow('fonts failed');
    expect(runBuild()).toEqual(['fonts', 'apps/sdk', 'apps/examples/clock', 'apps/examples/sensor']);
  });

  it('a file under node_modules or a bench result is not an input', () => {
    runBuild();
    write('bridge/src/node_modules/x/index.js');
    write('bench/results.json');
    write('bench/dist/run.js');
    expect(runBuild()).toEqual([]);
  });
});

describe('the step list', () => {
  it('refuses a workspace whose build script it has no inputs for', () => {
    packageJson('apps/new-tool', { build: 'node build.js' });
    const workspaces = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')) as { workspaces: string[] };
    write('package.json', JSON.stringify({ workspaces: [...workspaces.workspaces, 'apps/new-tool'] }));
    expect(() => buildSteps(tree)).toThrow(
      'apps/new-tool has a build script, but scripts/build-steps/steps.js does not say what it reads and writes: add it there',
    );
  });

  it("knows every build script of this repository's workspaces, and runs the workspace's own", () => {
    const steps = buildSteps(ROOT) as Step[];
    const sensor = steps.find((s) => s.name === 'apps/examples/sensor')!;
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'apps/examples/sensor/package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(sensor.command).toBe(scripts.build);
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['typescript', 'fonts', 'bridge', 'apps/sdk', 'node-red-nodes']));
  });
});

describe("this repository's steps", () => {
  const within = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`);

  it('have no step writing what it or a step before it reads (each start would rebuild it)', () => {
    const steps = buildSteps(ROOT) as Step[];
    const conflicts: string[] = [];
    steps.forEach((step, i) => {
      for (const written of [...step.outputs, ...step.generated]) {
        for (const reader of steps.slice(0, i + 1)) {
          const excluded = [...reader.ignore, ...reader.generated, ...reader.outputs].some((x) => within(written, x));
          if (!excluded && reader.inputs.some((input) => within(written, input))) conflicts.push(`${step.name} writes ${written}, read by ${reader.name}`);
        }
      }
    });
    expect(conflicts).toEqual([]);
  });

  it('have the fonts before the SDK that packs them and the SDK before the apps that link it', () => {
    const names = (buildSteps(ROOT) as Step[]).map((s) => s.name);
    const apps = names.filter((n) => n.startsWith('apps/examples/'));
    expect(apps.length).toBeGreaterThan(0);
    expect(names.indexOf('fonts')).toBeLessThan(names.indexOf('apps/sdk'));
    for (const app of apps) expect(names.indexOf('apps/sdk')).toBeLessThan(names.indexOf(app));
    expect(names.indexOf('typescript')).toBe(0);
    expect(names.indexOf('settings validator')).toBe(1);
  });
});

describe('running a step', () => {
  it("runs its command in the step's folder, with the installed tools on PATH, and fails on a non-zero exit", () => {
    write('tools/node_modules/.bin/megabit-test-tool', '#!/bin/sh\necho tool ran > out.txt\n');
    chmodSync(join(tree, 'tools/node_modules/.bin/megabit-test-tool'), 0o755);
    const step = { name: 'tools', cwd: 'tools', command: 'megabit-test-tool', inputs: [], outputs: [], ignore: [], generated: [] };
    runCommand(tree, step);
    expect(readFileSync(join(tree, 'tools/out.txt'), 'utf8')).toBe('tool ran\n');
    expect(statSync(join(tree, 'tools/out.txt')).isFile()).toBe(true);
    expect(() => runCommand(tree, { ...step, command: 'exit 3' })).toThrow('build step tools failed (exit 3: exit 3)');
  });
});
