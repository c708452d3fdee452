/**
 * The examples in config/ stay true: the mosquitto config runs on Debian's mosquitto and does
 * what it says, the app manifest passes the bridge's validation, and the Home Assistant
 * automations are the ones in docs/home-assistant.md and name entities that discovery creates.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { parse as parseYaml } from 'yaml';
import { DeviceTopics, validateManifest } from '@megabit/contract';
import { buildDiscoveryConfigs } from '../../src/homeassistant/discovery-configs';
import { MOSQUITTO } from '../helpers/mosquitto';
import { delay, freePort } from '../helpers/ports';

const CONFIG = join(__dirname, '..', '..', '..', 'config');
const DOCS = join(__dirname, '..', '..', '..', 'docs');

describe('config/mosquitto.conf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'megabit-mosquitto-example-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs on Debian's mosquitto: logins only, and the login it documents works", async () => {
    const passwords = join(dir, 'megabit.passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwords, 'megabit', 's3cret'], { stdio: 'pipe' });
    // mosquitto started as root drops to its own user, which must be able to read the file.
    chmodSync(dir, 0o755);
    chmodSync(passwords, 0o644);
    const port = await freePort();
    const example = readFileSync(join(CONFIG, 'mosquitto.conf'), 'utf8');
    expect(example).toMatch(/^listener 1883$/m);
    expect(example).toMatch(/^password_file \/etc\/mosquitto\/megabit\.passwd$/m);
    // Only what a test machine needs changed: a free port, and the password file's place.
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(conf, example.replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`).replace(/^password_file .*$/m, `password_file ${passwords}`));
    let output = '';
    const broker = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    broker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    broker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const url = `mqtt://127.0.0.1:${port}`;
      // mosquitto takes a moment to listen: retry the documented login until it does.
      let client: mqtt.MqttClient | undefined;
      const deadline = Date.now() + 10_000;
      while (!client) {
        if (broker.exitCode !== null) throw new Error(`mosquitto refused the example config: ${output}`);
        if (Date.now() > deadline) throw new Error(`no login with the documented user within 10 s: ${output}`);
        client = await mqtt
          .connectAsync(url, { protocolVersion: 4, username: 'megabit', password: 's3cret', reconnectPeriod: 0, connectTimeout: 1000 })
          .catch(() => delay(100).then(() => undefined));
      }
      await client.endAsync();
      await expect(mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 })).rejects.toThrow(
        /Not authorized|not authorised|Connection refused/i,
      );
    } finally {
      broker.kill('SIGTERM');
    }
  });
});

describe('config/apps/weather.manifest.json', () => {
  it("passes the bridge's manifest validation, with every permission used", () => {
    const manifest = JSON.parse(readFileSync(join(CONFIG, 'apps', 'weather.manifest.json'), 'utf8')) as Record<string, unknown>;
    const result = validateManifest(manifest);
    expect(result).toMatchObject({ ok: true });
    expect(Object.keys(manifest.permissions as object).sort()).toEqual(['homeassistant', 'kv_bytes', 'mqtt', 'network']);
  });
});

describe('config/homeassistant/automations.yaml', () => {
  const automations = parseYaml(readFileSync(join(CONFIG, 'homeassistant', 'automations.yaml'), 'utf8')) as Record<string, unknown>[];

  it('holds the example automations of docs/home-assistant.md, the same ones', () => {
    const doc = readFileSync(join(DOCS, 'home-assistant.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Example automations'), doc.indexOf('## Limits'));
    const documented = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]) as unknown);
    expect(documented.length).toBeGreaterThanOrEqual(3);
    expect(automations).toEqual(documented);
  });

  it('names only Megabit entities that discovery creates', () => {
    const topics = new DeviceTopics('megabit', 'megabit');
    const identity = {
      discoveryPrefix: 'homeassistant',
      baseTopic: 'megabit',
      deviceId: 'megabit',
      version: '0.1.0',
      configurationUrl: 'http://megabit.local:8000/',
    };
    const clock = { id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' as const };
    const created = new Set(buildDiscoveryConfigs(identity, topics, [clock]).map((c) => c.payload.default_entity_id));
    const named =
      JSON.stringify(automations)
        .match(/"[a-z_]+\.megabit_[a-z_]+"/g)
        ?.map((s) => JSON.parse(s) as string) ?? [];
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const entity of named) expect(created).toContain(entity);
  });
});

describe('config/homeassistant/scripts.yaml', () => {
  const scripts = parseYaml(readFileSync(join(CONFIG, 'homeassistant', 'scripts.yaml'), 'utf8')) as Record<string, { fields: Record<string, unknown> }>;
  const doc = readFileSync(join(DOCS, 'home-assistant.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The notification script'), doc.indexOf('## Example automations'));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]) as Record<string, unknown>);

  it('holds the notification script of docs/home-assistant.md, the same one', () => {
    expect(Object.keys(scripts)).toEqual(['megabit_notify']);
    expect(blocks[0]).toEqual(scripts);
  });

  it('the documented call uses the script and only its fields', () => {
    const call = blocks[1] as { action: string; data: Record<string, unknown> };
    expect(call.action).toBe('script.megabit_notify');
    for (const key of Object.keys(call.data)) expect(Object.keys(scripts.megabit_notify.fields)).toContain(key);
  });

  it('the notify entity the doorbell example uses is created by discovery, with its command template', () => {
    const topics = new DeviceTopics('megabit', 'megabit');
    const identity = { discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'megabit', version: '0.1.0' };
    const notify = buildDiscoveryConfigs(identity, topics, []).find((c) => c.component === 'notify')!;
    expect(notify.payload).toMatchObject({ default_entity_id: 'notify.megabit_notification', command_template: expect.stringContaining('to_json') });
  });
});

describe('config/megabit.acl in docs/security.md', () => {
  it('the doc quotes the shipped ACL whole, and shows no other grants for its users', () => {
    const doc = readFileSync(join(DOCS, 'security.md'), 'utf8');
    const acl = readFileSync(join(CONFIG, 'megabit.acl'), 'utf8');
    const blocks = fencedBlocks(doc);
    expect(blocks).toContain(acl);
    // Any other ACL snippet in the doc is a single line to add, never a second, different user
    // section for admin, homeassistant or viewer.
    const others = blocks.filter((b) => b !== acl && /^user (admin|homeassistant|viewer)$/m.test(b));
    expect(others).toEqual([]);
  });
});

/** The text of each fenced code block in a Markdown document, with its final newline. */
function fencedBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let open: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (open) blocks.push(open.map((l) => `${l}\n`).join(''));
      open = open ? undefined : [];
    } else open?.push(line);
  }
  return blocks;
}
