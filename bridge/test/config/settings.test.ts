import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, isMap, isScalar, isSeq, type Node } from 'yaml';
import { SETTINGS_SCHEMA, environmentKeys, settingsFrom } from '../../src/config';
import { settingsProblems as problems } from '../helpers/settings-problems';

const EXAMPLE = join(__dirname, '..', '..', '..', 'config', 'megabit.example.yaml');

describe('settings', () => {
  it('gives every key its default when the file is empty', () => {
    const s = settingsFrom(null, 'test.yaml', {});
    expect(s.device_id).toBe('megabit');
    expect(s.mqtt.base_topic).toBe('megabit');
    expect(s.mqtt.url).toBeUndefined();
    expect(s.broker.port).toBe(1883);
    expect(s.http.port).toBe(8000);
    expect(s.data_dir).toBe(join(homedir(), '.megabit'));
    expect(s.serial.path).toBeUndefined();
    expect(s.homeassistant).toEqual({
      enabled: true,
      discovery_prefix: 'homeassistant',
      birth_topic: 'homeassistant/status',
      image_interval_s: 30,
      app_access: [],
    });
    expect(s.sandbox.allow_private_hosts).toEqual([]);
    expect(s.rotation.default_duration_ms).toBe(15000);
  });

  it('keeps every listener on loopback until logins exist', () => {
    const none = settingsFrom({}, 'test.yaml', {});
    expect([none.broker.host, none.http.host]).toEqual(['127.0.0.1', '127.0.0.1']);
    const logins = settingsFrom({ broker: { password_file: '/etc/megabit/passwd' } }, 'test.yaml', {});
    expect([logins.broker.host, logins.http.host]).toEqual(['0.0.0.0', '0.0.0.0']);
    // An external broker that takes a login: the page's /mqtt clients log in there.
    const external = settingsFrom({ mqtt: { url: 'mqtt://nas:1883', username: 'megabit' } }, 'test.yaml', {});
    expect(external.http.host).toBe('0.0.0.0');
    expect(settingsFrom({ broker: { host: '127.0.0.5' }, http: { host: 'localhost' } }, 'test.yaml', {}).broker.host).toBe('127.0.0.5');
  });

  it('refuses a LAN address without logins, naming the key and both ways out', () => {
    const found = problems({ broker: { host: '0.0.0.0' }, http: { host: '192.168.1.20' } });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(
      /^broker\.host is 0\.0\.0\.0, which other machines can reach, but no logins are set up: set broker\.password_file .*broker\.allow_anonymous: true/,
    );
    expect(found[1]).toMatch(/^http\.host is 192\.168\.1\.20/);
    expect(problems({ broker: { host: '0.0.0.0', allow_anonymous: true }, http: { host: '0.0.0.0' } })).toEqual([]);
    expect(problems({ broker: { host: '::', password_file: '/p' } })).toEqual([]);
  });

  it('names unknown keys with their full path', () => {
    expect(problems({ mqtt: { urll: 'mqtt://x' } })).toEqual(['unknown key "mqtt.urll"']);
    expect(problems({ colour: 'red' })).toEqual(['unknown key "colour"']);
  });

  it('names the key and what is wrong with its value', () => {
    expect(problems({ http: { port: 'eighty' } })).toEqual(['http.port must be a whole number']);
    expect(problems({ log_level: 'loud' })).toEqual(['log_level must be one of debug, info, warn, error']);
    expect(problems({ device_id: '../etc' })[0]).toMatch(/^device_id must match pattern/);
    expect(problems({ mqtt: { url: 'localhost:1883' } })[0]).toMatch(/^mqtt\.url must match pattern/);
  });

  it('reports every problem at once', () => {
    expect(problems({ http: { port: -1 }, broker: { port: 70000 }, extra: 1 })).toHaveLength(3);
  });

  it('refuses a file that is not a mapping', () => {
    expect(problems(['a', 'b'])).toEqual(['the file must hold a mapping of keys to values']);
  });

  it('lets environment variables override the file, typed by the schema', () => {
    const s = settingsFrom({ http: { port: 8001 } }, 'test.yaml', {
      MEGABIT_HTTP_PORT: '9000',
      MEGABIT_MQTT_URL: 'mqtt://broker:1883',
      MEGABIT_HOMEASSISTANT_ENABLED: 'false',
      MEGABIT_MQTT_BASE_TOPIC: 'home',
    });
    expect(s.http.port).toBe(9000);
    expect(s.mqtt.url).toBe('mqtt://broker:1883');
    expect(s.homeassistant.enabled).toBe(false);
    expect(s.mqtt.base_topic).toBe('home');
  });

  it('takes the Home Assistant token from MEGABIT_HA_TOKEN, the longer name winning', () => {
    const base = { homeassistant: { url: 'ws://ha:8123/api/websocket' } };
    expect(settingsFrom(base, 'test.yaml', { MEGABIT_HA_TOKEN: 'short' }).homeassistant.token).toBe('short');
    expect(settingsFrom(base, 'test.yaml', { MEGABIT_HA_TOKEN: 'short', MEGABIT_HOMEASSISTANT_TOKEN: 'long' }).homeassistant.token).toBe('long');
  });

  it('reads lists from the environment as comma-separated values, and checks entity names', () => {
    const s = settingsFrom({}, 'test.yaml', {
      MEGABIT_SANDBOX_ALLOW_PRIVATE_HOSTS: 'nas.local, printer.local',
      MEGABIT_HOMEASSISTANT_APP_ACCESS: 'sensor,lock.front_door',
    });
    expect(s.sandbox.allow_private_hosts).toEqual(['nas.local', 'printer.local']);
    expect(s.homeassistant.app_access).toEqual(['sensor', 'lock.front_door']);
    expect(problems({ homeassistant: { app_access: ['sensor.*'] } })).toEqual(['homeassistant.app_access.0 must match pattern "^[a-z0-9_]+(\\.[a-z0-9_]+)?$"']);
  });

  it('says where a key of an earlier version went', () => {
    expect(problems({ serial: { button: { double_press_ms: 300 } } })).toEqual([
      '"serial.button" has moved to the top-level "button" section (button.double_press_ms, button.long_press_ms)',
    ]);
  });

  it('reports a bad environment value under its key, naming the variable', () => {
    expect(problems({}, { MEGABIT_HTTP_PORT: 'abc' })).toEqual(['http.port (from MEGABIT_HTTP_PORT) must be a whole number']);
    expect(problems({}, { MEGABIT_HA_TOKEN: '', MEGABIT_SANDBOX_ALLOW_PRIVATE_HOSTS: 'a,,b' })).toEqual([]);
    expect(problems({}, { MEGABIT_HOMEASSISTANT_APP_ACCESS: 'sensor.*' })[0]).toMatch(
      /^homeassistant\.app_access\.0 \(from MEGABIT_HOMEASSISTANT_APP_ACCESS\) must match/,
    );
    // The file's own mistakes are not blamed on a variable.
    expect(problems({ http: { port: 'eighty' } }, { MEGABIT_BROKER_PORT: '1884' })).toEqual(['http.port must be a whole number']);
  });

  it('says the environment is where a bad value came from, not the defaults', () => {
    expect(() => settingsFrom({}, 'defaults', { MEGABIT_HTTP_PORT: 'abc' })).toThrow(/^invalid settings in defaults and the environment:/);
    expect(() => settingsFrom({ http: { port: 'x' } }, 'defaults', {})).toThrow(/^invalid settings in defaults:/);
  });

  it('names the variable in the checks made after the schema too', () => {
    expect(problems({}, { MEGABIT_TIME_ZONE: 'Europe/Berln' })).toEqual([
      'time_zone (from MEGABIT_TIME_ZONE) "Europe/Berln" is not a time zone this machine knows (like "Europe/Berlin")',
    ]);
    expect(problems({ night: { from: '22:00' } }, { MEGABIT_NIGHT_TO: '22:00' })).toEqual([
      'night.from and night.to (from MEGABIT_NIGHT_TO) are the same: the night would never end',
    ]);
    expect(problems({}, { MEGABIT_NIGHT_FROM: '22:00' })).toEqual([
      'night.from (from MEGABIT_NIGHT_FROM) and night.to go together: give both, or neither for no night mode',
    ]);
    expect(problems({ display: { auto_brightness: { entity: 'sensor.lux' } } }, { MEGABIT_DISPLAY_AUTO_BRIGHTNESS_TOPIC: 'home/lux' })).toEqual([
      'display.auto_brightness (from MEGABIT_DISPLAY_AUTO_BRIGHTNESS_TOPIC): give "entity" or "topic", not both',
    ]);
    expect(problems({}, { MEGABIT_DISPLAY_AUTO_BRIGHTNESS_TOPIC: 'lux', MEGABIT_DISPLAY_AUTO_BRIGHTNESS_CURVE: '[[5,1],[5,2]]' })).toEqual([
      'display.auto_brightness.curve (from MEGABIT_DISPLAY_AUTO_BRIGHTNESS_CURVE): lux must rise from point to point (point 1 is not above point 0)',
    ]);
    expect(problems({}, { MEGABIT_HTTP_HOST: '0.0.0.0' })[0]).toMatch(/^http\.host \(from MEGABIT_HTTP_HOST\) is 0\.0\.0\.0, which other machines can reach/);
    expect(problems({ groups: ['kitchen'] }, { MEGABIT_DEVICE_ID: 'group' })[0]).toMatch(/^device_id \(from MEGABIT_DEVICE_ID\) "group" is taken/);
    // A value from the file is not blamed on a variable, and the message's heading names the file.
    expect(problems({ time_zone: 'Europe/Berln' }, { MEGABIT_HTTP_PORT: '9000' })[0]).toMatch(/^time_zone "Europe\/Berln" is not/);
    expect(() => settingsFrom({ time_zone: 'Europe/Berln' }, 'megabit.yaml', {})).toThrow(/^invalid settings in megabit\.yaml:\n {2}- time_zone "Europe/);
    expect(() => settingsFrom({}, 'defaults', { MEGABIT_TIME_ZONE: 'Europe/Berln' })).toThrow(
      /^invalid settings in defaults and the environment:\n {2}- time_zone \(from MEGABIT_TIME_ZONE\)/,
    );
  });

  it('derives one environment variable per setting', () => {
    const names = [...environmentKeys().keys()];
    expect(names).toContain('MEGABIT_MQTT_URL');
    expect(names).toContain('MEGABIT_SANDBOX_RUN_TIMEOUT_MS');
    expect(new Set(names).size).toBe(names.length);
  });

  it('documents every setting in config/megabit.example.yaml, with its default', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    // Commented-out keys count as documented: uncomment them for parsing.
    const doc = parseDocument(text.replace(/^(\s*)# (\s*[a-z_]+:)/gm, '$1$2'));
    const documented = new Map<string, unknown>();
    const walk = (node: Node | null, path: string[]): void => {
      if (isMap(node)) for (const pair of node.items) walk(pair.value as Node, [...path, String((pair.key as { value: unknown }).value)]);
      else if (isScalar(node)) documented.set(path.join('.'), node.value);
      else if (isSeq(node)) documented.set(path.join('.'), node.toJSON());
    };
    walk(doc.contents, []);
    expect([...environmentKeys().values()].map(({ path }) => path.join('.')).filter((key) => !documented.has(key))).toEqual([]);
    const defaults = settingsFrom({}, 'defaults', {}) as unknown as Record<string, Record<string, unknown>>;
    expect(documented.get('broker.port')).toBe(defaults.broker.port);
    expect(documented.get('sandbox.run_timeout_ms')).toBe(defaults.sandbox.run_timeout_ms);
    expect(Object.keys(SETTINGS_SCHEMA.properties).length).toBeGreaterThan(5);
  });
});

describe('groups', () => {
  it('none by default: a single display changes nothing', () => {
    expect(settingsFrom({}, 'test.yaml', {}).groups).toEqual([]);
  });

  it('takes group names as topic levels, from the file or MEGABIT_GROUPS', () => {
    expect(settingsFrom({ groups: ['kitchen', 'downstairs'] }, 'test.yaml', {}).groups).toEqual(['kitchen', 'downstairs']);
    expect(settingsFrom({}, 'test.yaml', { MEGABIT_GROUPS: 'kitchen, downstairs' }).groups).toEqual(['kitchen', 'downstairs']);
  });

  it('refuses names that are not one topic level, repeated names, and a display named like the groups level', () => {
    expect(problems({ groups: ['kitchen/left'] }).join('\n')).toMatch(/groups\/0|groups\.0/);
    expect(problems({ groups: ['#'] })).toHaveLength(1);
    expect(problems({ groups: ['+'] })).toHaveLength(1);
    expect(problems({ groups: ['Kitchen'] })).toHaveLength(1);
    expect(problems({ groups: ['kitchen', 'kitchen'] })).toHaveLength(1);
    expect(problems({ groups: 'kitchen' })).toHaveLength(1);
    expect(problems({ device_id: 'group', groups: ['kitchen'] })).toEqual([
      'device_id "group" is taken by the groups\' topics (<base>/group/<name>): choose another',
    ]);
    expect(problems({ device_id: 'group' })).toEqual([]);
  });
});
