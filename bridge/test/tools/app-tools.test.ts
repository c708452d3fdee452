/**
 * The app author's path end to end, as a user types it: `megabit app new`, `npm run build`,
 * `megabit app install` into a running bridge, and the app shows up in P/state/apps.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AppStatus, DeviceState } from '@megabit/contract';
import { BRIDGE_CLI, startBridge, type RunningBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';

const run = promisify(execFile);
jest.setTimeout(120_000);

describe('megabit app new / build / install', () => {
  let bridge: RunningBridge;
  let client: TestClient;
  const workDir = mkdtempSync(join(tmpdir(), 'megabit-scaffold-'));

  beforeAll(async () => {
    bridge = await startBridge({ settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe('megabit/megabit/#');
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('scaffolds an app that builds, installs over MQTT and shows up in the rotation', async () => {
    const created = await run(process.execPath, [BRIDGE_CLI, 'app', 'new', 'hello-world', '--dir', workDir]);
    expect(created.stdout).toContain(join(workDir, 'hello-world'));
    const appDir = join(workDir, 'hello-world');

    const built = await run('npm', ['run', 'build'], { cwd: appDir });
    expect(built.stdout).toMatch(/built hello-world: build\/hello-world\.wasm/);

    // The scaffolded test runs with `npm test` in the app folder and checks the greeting's pixels.
    const tested = await run('npm', ['test'], { cwd: appDir });
    expect(`${tested.stdout}${tested.stderr}`).toMatch(/Tests:\s+1 passed, 1 total/);

    const installed = await run(process.execPath, [BRIDGE_CLI, 'app', 'install', appDir, '--mqtt', bridge.mqttUrl]);
    expect(installed.stdout).toContain('installed hello-world 0.1.0');

    const apps = await client.waitFor(
      'megabit/megabit/state/apps',
      (m) => (JSON.parse(m.payload.toString()) as AppStatus[]).some((a) => a.id === 'hello-world'),
      30_000,
    );
    expect((JSON.parse(apps.payload.toString()) as AppStatus[]).find((a) => a.id === 'hello-world')).toEqual({
      id: 'hello-world',
      kind: 'app',
      name: 'Hello World',
      version: '0.1.0',
      enabled: true,
      status: 'ok',
      visible: true,
    });
    // The only app: the rotation shows it as soon as it is installed.
    expect(await client.request('app', 'hello-world')).toMatchObject({ ok: true, app: 'hello-world' });
    const state = await client.waitFor('megabit/megabit/state', (m) => (JSON.parse(m.payload.toString()) as DeviceState).app === 'hello-world', 30_000);
    expect(state).toBeDefined();
    const frame = await client.waitFor('megabit/megabit/display/frame', (m) => m.payload.some((b) => b > 0), 30_000);
    expect(frame.payload.length).toBe(6144);
  });

  it('explains what is wrong instead of failing obscurely', async () => {
    await expect(run(process.execPath, [BRIDGE_CLI, 'app', 'new', 'Bad Name', '--dir', workDir])).rejects.toMatchObject({
      stderr: expect.stringContaining('not a valid app id'),
    });
    await expect(run(process.execPath, [BRIDGE_CLI, 'app', 'install', workDir, '--mqtt', bridge.mqttUrl])).rejects.toMatchObject({
      stderr: expect.stringContaining('run "npm run build"'),
    });
    await expect(run(process.execPath, [BRIDGE_CLI, 'app', 'install', join(workDir, 'hello-world'), '--mqtt', 'mqtt://127.0.0.1:1'])).rejects.toMatchObject({
      stderr: expect.stringContaining('cannot reach the MQTT broker'),
    });
  });
});

describe('megabit app preview', () => {
  let bridge: RunningBridge;
  let client: TestClient;
  const appDir = join(__dirname, '..', '..', '..', 'apps', 'examples', 'plasma');

  beforeAll(async () => {
    bridge = await startBridge({ apps: ['clock'], settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe('megabit/megabit/#');
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
  });

  function preview(dir = appDir): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, [BRIDGE_CLI, 'app', 'preview', dir, '--mqtt', bridge.mqttUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output };
  }

  /** The frame on screen once the picture has settled: the retained one a new subscriber gets. */
  async function currentFrame(): Promise<Buffer> {
    await new Promise((r) => setTimeout(r, 500));
    const fresh = await TestClient.connect(bridge.mqttUrl);
    try {
      await fresh.subscribe('megabit/megabit/display/frame');
      return (await fresh.waitFor('megabit/megabit/display/frame')).payload;
    } finally {
      await fresh.close();
    }
  }

  const shown = (app: string, since: number): Promise<unknown> =>
    client.waitFor('megabit/megabit/state', (m) => (JSON.parse(m.payload.toString()) as DeviceState).app === app, 30_000, since);

  it('shows the app without installing it, and Ctrl-C ends the preview', async () => {
    let since = client.messages.length;
    const { child, output } = preview();
    await shown('plasma', since);
    const apps = JSON.parse((await client.waitFor('megabit/megabit/state/apps')).payload.toString()) as AppStatus[];
    expect(apps.map((a) => a.id)).toEqual(['clock']);
    since = client.messages.length;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('preview ended');
    await shown('clock', since);
  });

  it('ends the preview when the previewing process dies (its MQTT last will)', async () => {
    let since = client.messages.length;
    const { child } = preview();
    await shown('plasma', since);
    since = client.messages.length;
    child.kill('SIGKILL');
    await shown('clock', since);
  });

  it('rebuilds and reloads the app when its source changes', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'megabit-preview-'));
    const dir = join(workDir, 'live');
    await run(process.execPath, [BRIDGE_CLI, 'app', 'new', 'live', '--dir', workDir]);
    let since = client.messages.length;
    const { child, output } = preview(dir);
    try {
      await shown('live', since);
      const before = await currentFrame();
      since = client.messages.length;
      const source = join(dir, 'assembly', 'index.ts');
      writeFileSync(source, readFileSync(source, 'utf8').replace('"presses: "', '"count: "'));
      // The second "showing" is the rebuilt app's (a build can take a while on a loaded machine).
      const deadline = Date.now() + 90_000;
      while ((output().match(/showing live/g) ?? []).length < 2) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no reload seen; preview said:\n${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output()).toContain('rebuilding');
      await client
        .waitFor('megabit/megabit/display/frame', (m) => m.payload.some((b) => b > 0) && !m.payload.equals(before), 30_000, since)
        .catch((e: Error) => {
          throw new Error(`${e.message}; preview said:\n${output()}`);
        });
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 200_000);
});
