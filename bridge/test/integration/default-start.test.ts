/**
 * `npm start` as a new user runs it: `node bridge/dist/cli.js` from the repository root, no
 * arguments, no config file, HOME a fresh temporary folder (so ~/.megabit does not exist yet:
 * a first run). The settings stay the built-in defaults except for two kinds of environment
 * overrides, both documented settings:
 * - the ports (MEGABIT_BROKER_PORT, MEGABIT_BROKER_WS_PORT, MEGABIT_HTTP_PORT): the defaults
 *   1883, 8083 and 8000 may be taken on a CI machine or by a suite running at the same time;
 * - MEGABIT_ROTATION_DEFAULT_DURATION_MS=1000, so the rotation is seen within seconds.
 * Also `megabit --help`, `--version` and a broken config file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceTopics, FRAME_BYTES, type AppStatus, type DeviceState } from '@megabit/contract';
import { BRIDGE_CLI, REPO_ROOT } from '../helpers/bridge-process';
import { TestClient, json } from '../helpers/mqtt-client';
import { exited, freePort, waitUntil } from '../helpers/ports';

jest.setTimeout(60_000);

const topics = new DeviceTopics();
const P = (path: string): string => topics.out(path);

/** The parent's environment minus every MEGABIT_* variable, so only the test's own apply. */
function cleanEnvironment(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MEGABIT_')) env[key] = value;
  return { ...env, HOME: home, ...extra };
}

/** Ids of the example apps that are built, i.e. what a first run installs. */
function builtExampleIds(): string[] {
  const examples = join(REPO_ROOT, 'apps', 'examples');
  return readdirSync(examples)
    .filter((name) => existsSync(join(examples, name, 'build', 'manifest.json')))
    .map((name) => (JSON.parse(readFileSync(join(examples, name, 'build', 'manifest.json'), 'utf8')) as { id: string }).id)
    .sort();
}

/** `megabit ARGS` with HOME at `home`; waits for it to exit. */
function runCli(args: string[], home: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BRIDGE_CLI, ...args], { cwd: REPO_ROOT, env: cleanEnvironment(home, {}), encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function hasPixel(frame: Buffer, [r, g, b]: [number, number, number]): boolean {
  for (let i = 0; i < frame.length; i += 3) if (frame[i] === r && frame[i + 1] === g && frame[i + 2] === b) return true;
  return false;
}

/** Every value in an app's KV file, decoded and joined; '' while the file does not exist. */
function storedValues(kvFile: string): string {
  if (!existsSync(kvFile)) return '';
  const kv = JSON.parse(readFileSync(kvFile, 'utf8')) as { entries: Record<string, string> };
  return Object.values(kv.entries)
    .map((v) => Buffer.from(v, 'base64').toString())
    .join('\n');
}

describe('npm start with no config file, first run', () => {
  const home = mkdtempSync(join(tmpdir(), 'megabit-home-'));
  const dataDir = join(home, '.megabit');
  let child: ChildProcess;
  let output = '';
  let brokerPort: number;
  let httpPort: number;
  let client: TestClient;
  const examples = builtExampleIds();

  beforeAll(async () => {
    if (!existsSync(BRIDGE_CLI)) throw new Error(`${BRIDGE_CLI} is missing: run "npm run build" first`);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    brokerPort = await freePort();
    httpPort = await freePort();
    const wsPort = await freePort();
    child = spawn(process.execPath, [BRIDGE_CLI], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnvironment(home, {
        MEGABIT_BROKER_PORT: String(brokerPort),
        MEGABIT_BROKER_WS_PORT: String(wsPort),
        MEGABIT_HTTP_PORT: String(httpPort),
        MEGABIT_ROTATION_DEFAULT_DURATION_MS: '1000',
      }),
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await waitUntil(() => output.includes('try: mosquitto_pub') || child.exitCode !== null, 'the bridge to print its start-up lines', 30_000).catch(
      (e: Error) => {
        throw new Error(`${e.message}:\n${output}`);
      },
    );
    if (child.exitCode !== null) throw new Error(`the bridge exited (${child.exitCode}) during start:\n${output}`);
    client = await TestClient.connect(`mqtt://127.0.0.1:${brokerPort}`, topics);
    await client.subscribe('megabit/megabit/#');
  });

  afterAll(async () => {
    await client?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('prints where the simulator page is and which broker it uses', () => {
    expect(output).toContain(`default settings, data in ${dataDir}`);
    expect(output).toContain(`simulator: http://localhost:${httpPort}/`);
    expect(output).toContain(`MQTT: embedded broker mqtt://127.0.0.1:${brokerPort}, topics under megabit/megabit/`);
    // The test's broker port is not 1883, so the hint must give it.
    expect(output).toContain(`try: mosquitto_pub -h localhost -p ${brokerPort} -t megabit/megabit/cmd/notify -m 'Hello'`);
    // No logins yet: loopback only, and the log says how to open it.
    expect(output).toContain('reachable from this machine only: to open it to the LAN, add a login ("megabit user add NAME"');
  });

  it('installs the example apps into ~/.megabit/apps on the first run', async () => {
    const installed = readdirSync(join(dataDir, 'apps'))
      .filter((name) => !name.startsWith('.'))
      .sort();
    expect(installed).toEqual(examples);
    for (const id of installed) {
      const manifest = JSON.parse(readFileSync(join(dataDir, 'apps', id, 'manifest.json'), 'utf8')) as { bin: string };
      expect(readFileSync(join(dataDir, 'apps', id, manifest.bin)).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    }
    const apps = json<AppStatus[]>((await client.waitFor(P('state/apps'))).payload);
    expect(apps.map((a) => a.id).sort()).toEqual(examples);
    expect(apps.filter((a) => a.status !== 'ok')).toEqual([]);
  });

  it('publishes frames on P/display/frame, retained, and the apps draw', async () => {
    const drawn = await client.waitFor(P('display/frame'), (m) => m.payload.some((byte) => byte !== 0));
    expect(drawn.payload.length).toBe(FRAME_BYTES);
    // A subscriber arriving now is handed the frame on show at once, as a retained message.
    const late = await TestClient.connect(`mqtt://127.0.0.1:${brokerPort}`, topics);
    try {
      await late.subscribe(P('display/frame'));
      const first = await late.waitFor(P('display/frame'));
      expect(first.payload.length).toBe(FRAME_BYTES);
      expect(first.retain).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('rotates through the example apps in their rotation order', async () => {
    const order = json<AppStatus[]>((await client.waitFor(P('state/apps'))).payload).map((a) => a.id);
    const since = client.messages.length;
    const shown = (): string[] => {
      const apps = client.on(P('state'), since).map((m) => json<DeviceState>(m.payload).app);
      return apps.filter((app, i) => app !== null && app !== apps[i - 1]) as string[];
    };
    // 1 s per app: three changes take about 3 s; the deadline leaves room for a loaded machine.
    await waitUntil(() => shown().length >= 4, 'three app changes on P/state', 20_000);
    const seen = shown();
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]).toBe(order[(order.indexOf(seen[i - 1]) + 1) % order.length]);
    }
  });

  it('serves the simulator page over HTTP', async () => {
    const page = await fetch(`http://127.0.0.1:${httpPort}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<title>Megabit simulator');
    const script = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html);
    expect(script).not.toBeNull();
    const js = await fetch(`http://127.0.0.1:${httpPort}/${script![1]}`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(1000);
  });

  it('speaks MQTT over WebSocket at /mqtt: retained state in, commands out', async () => {
    const browser = await TestClient.connect(`ws://127.0.0.1:${httpPort}/mqtt`, topics);
    try {
      await browser.subscribe([P('availability'), P('display/png')]);
      expect((await browser.waitFor(P('availability'))).payload.toString()).toBe('online');
      const since = browser.messages.length;
      expect(await browser.request('screen')).toMatchObject({ ok: true });
      const png = await browser.waitFor(P('display/png'), () => true, 10_000, since);
      expect(png.payload.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });

  it('Ctrl-C: availability goes offline, exit code 0, state on disk', async () => {
    // Board alone in the rotation, then two messages: the second one's KV save falls inside the
    // sandbox's one-second save coalescing, so only the shutdown flush writes it in time.
    const others = examples.filter((id) => id !== 'board');
    expect(await client.request('apps/order', { order: ['board', ...others], disabled: others })).toMatchObject({ ok: true });
    expect(await client.request('app', 'board')).toMatchObject({ ok: true });
    // Data for an app that is still starting waits in its inbox: either way the board gets it.
    expect(await client.request('apps/board/data', '{"text":"first","color":"#00ff00"}')).toMatchObject({ ok: true });
    const kvFile = join(dataDir, 'apps', 'board', 'kv.json');
    await waitUntil(() => storedValues(kvFile).includes('first'), 'the board to save its first message', 10_000);
    const since = client.messages.length;
    expect(await client.request('apps/board/data', '{"text":"second","color":"#ff0000"}')).toMatchObject({ ok: true, queued: false });
    // The board drew the second message: it is in the app's KV store in memory.
    await client.waitFor(P('display/frame'), (m) => hasPixel(m.payload, [255, 0, 0]), 10_000, since);

    const beforeStop = client.messages.length;
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    await client.waitFor(P('availability'), (m) => m.payload.toString() === 'offline', 10_000, beforeStop);
    expect(await exit).toBe(0);
    expect(output).toContain('SIGINT: shutting down');

    const stored = storedValues(kvFile);
    expect(stored).toContain('first');
    expect(stored).toContain('second');
    const state = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as { order: string[]; disabled: string[] };
    expect(state.order[0]).toBe('board');
    expect([...state.disabled].sort()).toEqual(others);
  });
});

describe('megabit command line', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'megabit-home-'));
  });

  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('--help prints the usage and exits 0', () => {
    const r = runCli(['--help'], home);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^megabit \d+\.\d+\.\d+/);
    for (const text of ['megabit [--config FILE]', '--version', 'MEGABIT_MQTT_URL', 'embedded MQTT broker on 1883']) expect(r.stdout).toContain(text);
    // Help only: nothing was started or written.
    expect(existsSync(join(home, '.megabit'))).toBe(false);
  });

  it('--version prints the package version and exits 0', () => {
    const r = runCli(['--version'], home);
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'bridge', 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('an unknown argument is an error that points to --help', () => {
    const r = runCli(['--colour'], home);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('unknown argument "--colour"');
    expect(r.stderr).toContain('megabit --help');
  });

  it('a bad ~/.megabit/megabit.yaml stops the start with the keys and what is wrong', () => {
    mkdirSync(join(home, '.megabit'));
    const file = join(home, '.megabit', 'megabit.yaml');
    writeFileSync(file, 'http:\n  port: eighty\ndisplay:\n  max_fps: 500\ncolour: red\n');
    const r = runCli([], home);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`invalid settings in ${file}`);
    expect(r.stderr).toContain('http.port must be a whole number');
    expect(r.stderr).toMatch(/display\.max_fps .*60/);
    expect(r.stderr).toContain('unknown key "colour"');
    expect(existsSync(join(home, '.megabit', 'apps'))).toBe(false);
  });

  it('--config with a file that does not exist names the file', () => {
    const missing = join(home, 'nope.yaml');
    const r = runCli(['--config', missing], home);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`file not found: ${missing}`);
  });
});
