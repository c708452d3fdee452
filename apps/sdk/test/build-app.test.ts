import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUILD = join(__dirname, '..', 'bin', 'build-app.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isStale } = require(BUILD) as { isStale(dir: string): boolean };

// Outside the repository: an app folder anywhere builds against the SDK beside the script.
const ROOT = mkdtempSync(join(tmpdir(), 'megabit-build-app-'));

function app(name: string, manifest: object, source: string): string {
  const dir = join(ROOT, name);
  mkdirSync(join(dir, 'assembly'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'assembly', 'index.ts'), source);
  return dir;
}

const build = (dir: string) => spawnSync(process.execPath, [BUILD, dir], { encoding: 'utf8', timeout: 120_000 });

const MANIFEST = { id: 'tiny', name: 'Tiny', version: '1.0.0', bin: 'tiny.wasm', refresh_period_ms: 100 };
const SOURCE =
  'import { App, register, screen } from "@megabit/sdk";\nclass Tiny extends App { run(): void { screen.pixel(1, 1, 0xff0000); } }\nregister(new Tiny());\n';

describe('build-app', () => {
  let dir: string;
  let first: ReturnType<typeof build>;
  beforeAll(() => {
    dir = app('tiny', MANIFEST, SOURCE);
    first = build(dir);
  });
  afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

  it('builds an installable folder: build/<id>.wasm with the ABI exports and a manifest copy', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const mod = new WebAssembly.Module(readFileSync(join(dir, 'build', 'tiny.wasm')));
    expect(
      WebAssembly.Module.exports(mod)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['memory', 'run', 'setup']);
    const modules = new Set(WebAssembly.Module.imports(mod).map((i) => i.module));
    expect([...modules].sort()).toEqual(['extism:host/env', 'extism:host/user']);
    expect(JSON.parse(readFileSync(join(dir, 'build', 'manifest.json'), 'utf8'))).toEqual(MANIFEST);
  });

  it('leaves an up-to-date build alone and knows when sources are newer', () => {
    expect(isStale(dir)).toBe(false);
    expect(build(dir).stdout).toMatch(/tiny: build\/ is up to date/);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'assembly', 'index.ts'), later, later);
    expect(isStale(dir)).toBe(true);
  });

  it('fails with the compiler message for a broken app', () => {
    const r = build(
      app(
        'broken',
        MANIFEST,
        'import { App, register } from "@megabit/sdk";\nclass Broken extends App { run(): void { let x: i32 = "no"; } }\nregister(new Broken());\n',
      ),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tiny: compile failed[\s\S]*ERROR[\s\S]*assembly\/index\.ts/);
  });

  it('refuses an invalid manifest, naming the problem', () => {
    expect(build(app('fast', { ...MANIFEST, refresh_period_ms: 1 }, SOURCE)).stderr).toMatch(/refresh_period_ms/);
    expect(build(app('misnamed', { ...MANIFEST, bin: 'other.wasm' }, SOURCE)).stderr).toMatch(/"bin" must be "tiny.wasm"/);
  });
});
