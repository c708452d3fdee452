/**
 * The package as a user gets it: `npm pack`, `npm install <tarball>` into a fresh Node-RED user
 * dir outside this monorepo; the Node-RED under test (4.1, or 5 under `npm run test:node-red5`)
 * started on that dir must list the nodes, and the package's example flow must run there and
 * reach a real bridge (which needs the contract compiled into the package) and the apps it drives.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CMD } from '@megabit/contract';
import { REPO_ROOT, startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { TestClient } from '../../bridge/test/helpers/mqtt-client';
import { freePort } from '../../bridge/test/helpers/ports';
import { NODE_RED_CLI, nodeRedVersion } from './helpers/node-red-runtime';

const PACKAGE_DIR = join(REPO_ROOT, 'node-red-nodes');
const TYPES = ['megabit-device', 'megabit notify', 'megabit screen', 'megabit app', 'megabit data', 'megabit display', 'megabit button', 'megabit state'];

let work: string;
let bridge: RunningBridge | undefined;
let nodeRed: ChildProcess | undefined;
let client: TestClient | undefined;

function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, npm_config_loglevel: 'error' } });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

async function startNodeRed(userDir: string, port: number): Promise<{ output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, [NODE_RED_CLI, '--userDir', userDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  nodeRed = child;
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Started flows')) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`Node-RED did not start within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { output: () => output };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'megabit-nr-pack-'));
});

afterAll(async () => {
  if (nodeRed && nodeRed.exitCode === null) {
    const exited = new Promise((resolve) => nodeRed!.once('exit', resolve));
    nodeRed.kill('SIGTERM');
    await exited;
  }
  await client?.close();
  await bridge?.dispose();
  rmSync(work, { recursive: true, force: true });
});

it('the npm pack tarball installs on its own and its nodes work in Node-RED', async () => {
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], PACKAGE_DIR)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const type of TYPES) expect(files).toContain(`dist/${type.replace(' ', '-')}.js`);
  expect(files).toContain('dist/locales/en-US/megabit-notify.html');
  expect(files).toContain('dist/locales/en-US/megabit-screen.html');
  expect(files).toContain('dist/icons/megabit.svg');
  expect(files.some((f) => f.startsWith('examples/') && f.endsWith('.json'))).toBe(true);
  expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

  const userDir = join(work, 'user');
  mkdirSync(userDir);
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], userDir);
  const installed = join(userDir, 'node_modules', 'node-red-contrib-megabit');
  expect(existsSync(join(installed, 'dist', 'megabit-notify.js'))).toBe(true);
  // The contract is compiled in: nothing may still ask for the unpublished package.
  for (const file of readdirSync(join(installed, 'dist')).filter((f) => f.endsWith('.js'))) {
    expect(readFileSync(join(installed, 'dist', file), 'utf8')).not.toContain('@megabit/contract');
  }
  expect(existsSync(join(userDir, 'node_modules', '@megabit'))).toBe(false);
  expect(existsSync(join(userDir, 'node_modules', 'mqtt'))).toBe(true);

  // The example apps the example flow drives (a new bridge installs them all on its first run).
  bridge = await startBridge({ apps: ['clock', 'board'] });
  client = await TestClient.connect(bridge.mqttUrl, bridge.topics);
  await client.subscribe([bridge.topics.response(CMD.notify), bridge.topics.response(CMD.app), bridge.topics.response(CMD.appData({ appId: 'board' }))]);
  // The example flow, pointed at the test bridge, is what Node-RED runs.
  const example = JSON.parse(readFileSync(join(installed, 'examples', 'megabit-basics.json'), 'utf8')) as Array<Record<string, unknown>>;
  for (const node of example) {
    if (node.type === 'megabit-device') Object.assign(node, { broker: bridge.mqttUrl, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId });
  }
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(example));
  const port = await freePort();
  const red = await startNodeRed(userDir, port);
  // The Node-RED under test (4.1, or 5 under `npm run test:node-red5`) is the one that ran.
  expect(red.output()).toContain(`Node-RED version: v${nodeRedVersion()}`);
  const base = `http://127.0.0.1:${port}`;

  const nodeSets = (await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{
    module: string;
    types: string[];
    enabled: boolean;
    err?: string;
  }>;
  const ours = nodeSets.filter((s) => s.module === 'node-red-contrib-megabit');
  expect(ours.map((s) => s.err).filter(Boolean)).toEqual([]);
  expect(ours.every((s) => s.enabled)).toBe(true);
  expect(ours.flatMap((s) => s.types).sort()).toEqual([...TYPES].sort());
  const editor = await (await fetch(`${base}/nodes`, { headers: { Accept: 'text/html' } })).text();
  expect(editor).toContain('data-help-name="megabit notify"');
  expect(editor).toContain('data-help-name="megabit screen"');
  expect(editor).toContain('data-template-name="megabit screen"');

  const since = client.messages.length;
  const injected = await fetch(`${base}/inject/i-hello`, { method: 'POST' });
  expect(injected.status).toBe(200);
  const reply = await client.waitFor(bridge.topics.response(CMD.notify), () => true, 15_000, since);
  const body = JSON.parse(reply.payload.toString()) as { ok: boolean; transaction?: string };
  expect(body.ok).toBe(true);
  expect(body.transaction).toMatch(/^nr-/);

  // Its app buttons reach apps that ship: showing the clock, and a message for the board.
  for (const [inject, path] of [
    ['i-clock', CMD.app],
    ['i-temp', CMD.appData({ appId: 'board' })],
  ]) {
    const before = client.messages.length;
    expect((await fetch(`${base}/inject/${inject}`, { method: 'POST' })).status).toBe(200);
    const answer = await client.waitFor(bridge.topics.response(path), () => true, 15_000, before);
    expect(JSON.parse(answer.payload.toString())).toMatchObject({ ok: true });
  }
  // And its schedule for the clock reaches the bridge as a checked command with a transaction.
  await client.subscribe(bridge.topics.response(CMD.appSchedule({ appId: 'clock' })));
  const scheduled = client.messages.length;
  expect((await fetch(`${base}/inject/i-mornings`, { method: 'POST' })).status).toBe(200);
  const answer = await client.waitFor(bridge.topics.response(CMD.appSchedule({ appId: 'clock' })), () => true, 15_000, scheduled);
  expect(JSON.parse(answer.payload.toString())).toMatchObject({ transaction: expect.stringMatching(/^nr-/) });
  expect(red.output()).not.toMatch(/\[error\]/);
}, 300_000);
