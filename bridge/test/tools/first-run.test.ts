/**
 * What a newcomer types first, in a checkout: `npx megabit` right after `npm ci`, and `npm start`
 * before it. Each either works or says what to run, never "tsc: not found" or "could not
 * determine executable to run".
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../../src/version';
import { run } from '../helpers/run-tool';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bridge', 'bin', 'megabit.js');
const scratch = mkdtempSync(join(tmpdir(), 'megabit-first-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the megabit command in a checkout', () => {
  it('is linked to a committed file, not to the build, so npm ci can link it before building', () => {
    const bin = (JSON.parse(readFileSync(join(ROOT, 'bridge', 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.megabit;
    expect(bin).toBe('bin/megabit.js');
    expect(bin.startsWith('dist/')).toBe(false);
    expect(statSync(BIN).mode & 0o111).not.toBe(0);
  });

  it('runs the built CLI through npx', async () => {
    const result = await run('npx', ['--no-install', 'megabit', '--version'], { cwd: ROOT });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(VERSION);
    expect(result.code).toBe(0);
  });

  it('says what to run when the bridge is not built yet', async () => {
    // A checkout where npm ci has linked the command but dist/ does not exist yet.
    const unbuilt = join(scratch, 'unbuilt');
    mkdirSync(join(unbuilt, 'bridge', 'bin'), { recursive: true });
    copyFileSync(BIN, join(unbuilt, 'bridge', 'bin', 'megabit.js'));
    const result = await run(process.execPath, [join(unbuilt, 'bridge', 'bin', 'megabit.js'), '--version']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `megabit: the bridge is not built yet (${join(unbuilt, 'bridge', 'dist', 'cli.js')} is missing): run "npm ci" in ${unbuilt} (or "npm run build" after a change)\n`,
    );
  });
});

describe('npm start', () => {
  it('before npm ci, says to run npm ci instead of "tsc: not found"', async () => {
    // A fresh checkout: the root package.json and scripts/, no node_modules.
    const fresh = join(scratch, 'fresh');
    mkdirSync(fresh, { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(fresh, 'package.json'));
    cpSync(join(ROOT, 'scripts'), join(fresh, 'scripts'), { recursive: true });
    const result = await run('npm', ['start'], { cwd: fresh });
    expect(result.code).not.toBe(0);
    expect(result.stderr).not.toMatch(/tsc: not found/);
    expect(result.stderr).toContain(`Run "npm ci" in ${fresh} first (it installs and builds everything), then "npm start".`);
  });

  it('after npm ci, passes the check and goes on to the build and the bridge', async () => {
    const check = await run(process.execPath, [join(ROOT, 'scripts', 'check-installed.js')]);
    expect(check).toEqual({ code: 0, stdout: '', stderr: '' });
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe('node scripts/start.js');
    // The check first, then the build of what changed, then the built bridge in the same process.
    const script = readFileSync(join(ROOT, 'scripts', 'start.js'), 'utf8');
    const order = ["require('./check-installed')", 'onlyChanged: true', "require(path.join(root, 'bridge', 'dist', 'cli.js'))"].map((s) => script.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
