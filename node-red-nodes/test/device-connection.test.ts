/**
 * The `megabit-device` config node's shared connection, against mosquitto and a real bridge
 * using it: one MQTT client for all the nodes of a device, and a status on every node that
 * follows the bridge's availability and the broker connection; and the broker credentials kept
 * as Node-RED credentials, out of the flow file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createDecipheriv, createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_RED_CLI } from './helpers/node-red-runtime';
import { REPO_ROOT, startBridge, type RunningBridge } from '../../bridge/test/helpers/bridge-process';
import { bundleForNode } from '../../bridge/test/helpers/bundle-sources';
import { Mosquitto } from '../../bridge/test/helpers/mosquitto';
import { freePort } from '../../bridge/test/helpers/ports';
import { Collector, deviceConfig, flow, helper, linkOf, NODES, until } from './helpers/node-red';

const PACKAGE_DIR = join(REPO_ROOT, 'node-red-nodes');
const PASSWORD = 's3cret';

let broker: Mosquitto;
let bridge: RunningBridge;

beforeAll(async () => {
  broker = await Mosquitto.start();
  bridge = await startBridge({ mqttUrl: broker.url, deviceId: 'status-test' });
  await helper.startServer();
});

afterEach(async () => {
  await helper.unload();
});

afterAll(async () => {
  await helper.stopServer();
  await bridge?.dispose();
  await broker?.dispose();
});

interface StatusMsg {
  status: { fill?: string; shape?: string; text?: string; source: { id: string } };
}

it('all nodes of a device share one connection and show the bridge availability', async () => {
  await helper.load(
    NODES,
    flow(
      deviceConfig('dev', { broker: broker.url, baseTopic: bridge.baseTopic, deviceId: bridge.deviceId }),
      { id: 'note', type: 'megabit notify', device: 'dev', wires: [[]] },
      { id: 'press', type: 'megabit button', device: 'dev', wires: [[]] },
      { id: 'watch', type: 'megabit state', device: 'dev', wires: [[]] },
      { id: 'status-of-note', type: 'status', scope: ['note', 'press'], wires: [['statuses']] },
      { id: 'statuses', type: 'helper' },
    ),
  );
  const statuses = new Collector('statuses');
  const seen = (id: string, fill: string, shape: string, text: string, since: number): Promise<unknown> =>
    statuses.next(
      (m) => {
        const { status } = m as unknown as StatusMsg;
        return status.source.id === id && status.fill === fill && status.shape === shape && status.text === text;
      },
      15_000,
      since,
    );

  await seen('note', 'green', 'dot', 'online', 0);
  await seen('press', 'green', 'dot', 'online', 0);
  const clients = broker.output.match(/New client connected from \S+ as megabit-nr-\w+/g) ?? [];
  expect(clients).toHaveLength(1);

  let since = statuses.messages.length;
  await bridge.kill();
  await seen('note', 'red', 'ring', 'offline', since);
  await seen('press', 'red', 'ring', 'offline', since);

  since = statuses.messages.length;
  await bridge.relaunch();
  await seen('note', 'green', 'dot', 'online', since);

  since = statuses.messages.length;
  await broker.stop();
  await seen('note', 'yellow', 'ring', 'connecting', since);
  await until('the link to notice', () => linkOf('dev').state === 'connecting');

  since = statuses.messages.length;
  await broker.restart();
  await seen('note', 'green', 'dot', 'online', since);
}, 60_000);

/** mosquitto that lets in only "node-red" with PASSWORD; `dispose` also removes its password file. */
async function securedBroker(): Promise<{ broker: Mosquitto; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'megabit-nr-auth-'));
  const passwords = join(dir, 'passwords');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', passwords, 'node-red', PASSWORD], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  // mosquitto started as root reads it as the "mosquitto" user.
  chmodSync(dir, 0o755);
  chmodSync(passwords, 0o644);
  const broker = await Mosquitto.start({ auth: ['allow_anonymous false', `password_file ${passwords}`] });
  return {
    broker,
    dispose: async () => {
      await broker.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** mosquitto's log line for each client that logged in as "node-red". */
const nodeRedLogins = (broker: Mosquitto): number => (broker.output.match(/as megabit-nr-\w+ \(.*u'node-red'\)/g) ?? []).length;

it('the broker credentials are Node-RED credentials, used for the connection', async () => {
  const secured = await securedBroker();
  try {
    const flowNodes = flow(
      deviceConfig('good', { broker: secured.broker.url, baseTopic: 'megabit', deviceId: 'megabit' }),
      deviceConfig('bad', { broker: secured.broker.url, baseTopic: 'megabit', deviceId: 'megabit' }),
      { id: 'with-good', type: 'megabit state', device: 'good', wires: [[]] },
      { id: 'with-bad', type: 'megabit state', device: 'bad', wires: [[]] },
    );
    await helper.load(NODES, flowNodes, {
      good: { username: 'node-red', password: PASSWORD },
      bad: { username: 'node-red', password: 'wrong' },
    });
    // Connected (no bridge on this broker, so "offline"), while the wrong password keeps retrying.
    await until('the good credentials to connect', () => linkOf('good').state === 'offline');
    await until('the broker to refuse the wrong password', () => /not authori[sz]ed/i.test(secured.broker.output));
    expect(linkOf('bad').state).toBe('connecting');
    expect(nodeRedLogins(secured.broker)).toBeGreaterThan(0);
  } finally {
    await helper.unload();
    await secured.dispose();
  }
});

/**
 * Node-RED as a user runs it: its own process on a user dir with a credential secret, the nodes
 * bundled from their sources into that dir's nodesDir, a flow deployed through the admin API
 * the way the editor deploys it (credentials inline on the node), saved by Node-RED's file
 * storage. Node-RED keeps of a deploy's credentials only the fields the node registers as
 * credentials: without that registration the password would reach neither the credentials file
 * nor the node, and the flow could not log in.
 */
describe('credentials in a Node-RED user dir', () => {
  const SECRET = 'megabit-test-credential-secret';
  let work: string;
  let secured: Awaited<ReturnType<typeof securedBroker>>;
  let red: NodeRedProcess | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'megabit-nr-userdir-'));
    const nodesDir = join(work, 'nodes');
    bundleForNode({
      entryPoints: ['megabit-device', 'megabit-state'].map((n) => join(PACKAGE_DIR, 'src', 'nodes', `${n}.ts`)),
      outdir: nodesDir,
      external: ['mqtt'],
      logLevel: 'warning',
    });
    // Node-RED loads a node file only when its editor HTML sits beside it.
    for (const n of ['megabit-device', 'megabit-state']) copyFileSync(join(PACKAGE_DIR, 'editor', `${n}.html`), join(nodesDir, `${n}.html`));
    writeFileSync(
      join(work, 'settings.js'),
      `module.exports = ${JSON.stringify({
        credentialSecret: SECRET,
        flowFile: 'flows.json',
        nodesDir: [nodesDir],
        uiHost: '127.0.0.1',
        logging: { console: { level: 'info', metrics: false, audit: false } },
      })};\n`,
    );
    secured = await securedBroker();
  });

  afterAll(async () => {
    await red?.stop();
    await secured?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('the password goes to the encrypted credentials file, never to flows.json, and logs in again after a restart', async () => {
    red = await NodeRedProcess.start(work);
    const deployed = await fetch(`${red.url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify([
        { id: 'tab', type: 'tab', label: 'display' },
        {
          id: 'dev',
          type: 'megabit-device',
          broker: secured.broker.url,
          baseTopic: 'megabit',
          deviceId: 'megabit',
          timeout: 10,
          credentials: { username: 'node-red', password: PASSWORD },
        },
        { id: 'watch', type: 'megabit state', z: 'tab', device: 'dev', wires: [[]] },
      ]),
    });
    expect(deployed.status).toBe(204);
    await until('the deployed flow to log in', () => nodeRedLogins(secured.broker) === 1, 15_000);

    const flowFile = readFileSync(join(work, 'flows.json'), 'utf8');
    const savedDevice = (JSON.parse(flowFile) as Array<Record<string, unknown>>).find((n) => n.id === 'dev');
    expect(savedDevice).toMatchObject({ type: 'megabit-device', broker: secured.broker.url });
    expect(savedDevice).not.toHaveProperty('credentials');
    expect(flowFile).not.toContain(PASSWORD);

    const credentialFile = readFileSync(join(work, 'flows_cred.json'), 'utf8');
    expect(credentialFile).not.toContain(PASSWORD);
    expect(decryptCredentials(JSON.parse(credentialFile) as { $: string }, SECRET)).toEqual({ dev: { username: 'node-red', password: PASSWORD } });

    // What the editor gets back: the user name, and only whether a password is set.
    const exported = await (await fetch(`${red.url}/flows`, { headers: { Accept: 'application/json' } })).text();
    expect(exported).toContain('"dev"');
    expect(exported).not.toContain(PASSWORD);
    expect(await (await fetch(`${red.url}/credentials/megabit-device/dev`)).json()).toEqual({ username: 'node-red', has_password: true });

    await red.stop();
    red = await NodeRedProcess.start(work);
    await until('the restarted flow to log in with the stored credentials', () => nodeRedLogins(secured.broker) === 2, 15_000);
    expect(secured.broker.output).not.toMatch(/not authori[sz]ed/i);
  }, 90_000);
});

/** Node-RED's own way of encrypting flows_cred.json: aes-256-ctr, key sha256(secret), IV in front. */
function decryptCredentials(file: { $: string }, secret: string): unknown {
  const key = createHash('sha256').update(secret).digest();
  const decipher = createDecipheriv('aes-256-ctr', key, Buffer.from(file.$.slice(0, 32), 'hex'));
  return JSON.parse(decipher.update(file.$.slice(32), 'base64', 'utf8') + decipher.final('utf8'));
}

class NodeRedProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async start(userDir: string): Promise<NodeRedProcess> {
    const port = await freePort();
    // The bundles leave mqtt out, as the package does: it resolves from the repository's modules.
    const child = spawn(process.execPath, [NODE_RED_CLI, '--userDir', userDir, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules') },
    });
    const red = new NodeRedProcess(child, `http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    while (!red.output.includes('Started flows')) {
      if (child.exitCode !== null) throw new Error(`Node-RED exited (${child.exitCode}):\n${red.output}`);
      if (Date.now() > deadline) throw new Error(`Node-RED did not start within 30 s:\n${red.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const sets = (await (await fetch(`${red.url}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ types: string[]; err?: string }>;
    const loaded = sets.filter((set) => !set.err).flatMap((set) => set.types);
    if (!loaded.includes('megabit-device') || !loaded.includes('megabit state'))
      throw new Error(`Node-RED did not load the megabit nodes:\n${JSON.stringify(sets.filter((set) => set.err))}\n${red.output}`);
    return red;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
