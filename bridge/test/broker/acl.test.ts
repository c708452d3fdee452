/** mosquitto's ACL format and its matching rules, including the shipped config/megabit.acl. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceTopics } from '@megabit/contract';
import { canPublish, canReceive, canSubscribe, parseAcl } from '../../src/broker/acl';
import { GroupTopics } from '@megabit/contract';
import { buildDiscoveryConfigs } from '../../src/homeassistant/discovery-configs';
import { buildGroupDiscoveryConfigs } from '../../src/homeassistant/group-discovery';

const ha = { username: 'homeassistant', clientId: 'ha-1' };
const anon = { clientId: 'anon-1' };

describe('parsing', () => {
  it('user sections, anonymous rules before the first user, patterns for everyone', () => {
    const { acl, problems } = parseAcl(
      [
        '# anonymous clients',
        'topic read public/#',
        'user homeassistant',
        'topic home/#',
        'topic write cmd/+/set',
        'topic deny home/secret',
        'pattern read users/%u/#',
        'user admin',
        'topic readwrite #',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(acl.anonymous).toHaveLength(1);
    expect(acl.users.get('homeassistant')).toHaveLength(3);
    expect(acl.patterns).toHaveLength(1);
  });

  it('bad lines are reported and skipped', () => {
    const { acl, problems } = parseAcl('user\ntopic a/#/b\ntopic a+/b\nfrobnicate x\ntopic read\ntopic ok');
    expect(problems).toHaveLength(4);
    expect(acl.anonymous.map((r) => r.levels.join('/'))).toEqual(['read', 'ok']);
  });

  it('a topic may contain spaces; the access word is optional', () => {
    const { acl } = parseAcl('topic read my room/lamp');
    expect(canReceive(acl, anon, 'my room/lamp')).toBe(true);
    expect(canPublish(acl, anon, 'my room/lamp')).toBe(false);
  });
});

describe('checks', () => {
  const { acl } = parseAcl(
    [
      'topic read public/#',
      'user homeassistant',
      'topic home/#',
      'topic write cmd/+/set',
      'topic deny home/secret',
      'pattern readwrite users/%u/#',
      'pattern read clients/%c',
    ].join('\n'),
  );

  it('publish needs a write grant and no matching deny', () => {
    expect(canPublish(acl, ha, 'home/kitchen')).toBe(true);
    expect(canPublish(acl, ha, 'cmd/lamp/set')).toBe(true);
    expect(canPublish(acl, ha, 'cmd/lamp/get')).toBe(false);
    expect(canPublish(acl, ha, 'home/secret')).toBe(false);
    expect(canPublish(acl, ha, 'public/x')).toBe(false);
    expect(canPublish(acl, anon, 'public/x')).toBe(false);
  });

  it('a subscription must lie inside a read grant, with MQTT wildcard semantics', () => {
    expect(canSubscribe(acl, ha, 'home/#')).toBe(true);
    expect(canSubscribe(acl, ha, 'home/+/temp')).toBe(true);
    expect(canSubscribe(acl, ha, 'home')).toBe(true); // home/# matches its parent too
    expect(canSubscribe(acl, ha, '#')).toBe(false);
    expect(canSubscribe(acl, ha, '+/kitchen')).toBe(false);
    expect(canSubscribe(acl, ha, 'cmd/lamp/set')).toBe(false); // write only
    expect(canSubscribe(acl, ha, 'home/secret')).toBe(false);
    expect(canSubscribe(acl, anon, 'public/#')).toBe(true);
    expect(canSubscribe(acl, anon, 'home/#')).toBe(false);
  });

  it('a deny inside a granted subscription holds message by message', () => {
    expect(canReceive(acl, ha, 'home/kitchen')).toBe(true);
    expect(canReceive(acl, ha, 'home/secret')).toBe(false);
  });

  it('patterns substitute the user name and client id, never wildcards smuggled in them', () => {
    expect(canPublish(acl, ha, 'users/homeassistant/x')).toBe(true);
    expect(canPublish(acl, ha, 'users/other/x')).toBe(false);
    expect(canSubscribe(acl, ha, 'clients/ha-1')).toBe(true);
    expect(canSubscribe(acl, { username: '#', clientId: 'c' }, 'users/#')).toBe(false);
    expect(canSubscribe(acl, { username: 'x', clientId: '+' }, 'clients/+')).toBe(false);
    expect(canPublish(acl, anon, 'users//x')).toBe(false); // %u without a user name never matches
  });

  it('a leading wildcard does not reach $ topics', () => {
    const { acl: all } = parseAcl('topic #');
    expect(canSubscribe(all, anon, '#')).toBe(true);
    expect(canSubscribe(all, anon, '$SYS/#')).toBe(false);
    expect(canReceive(all, anon, '$SYS/broker/x')).toBe(false);
    expect(canReceive(parseAcl('topic $SYS/#').acl, anon, '$SYS/broker/x')).toBe(true);
  });
});

describe('config/megabit.acl', () => {
  const { acl, problems } = parseAcl(readFileSync(join(__dirname, '..', '..', '..', 'config', 'megabit.acl'), 'utf8'));
  const admin = { username: 'admin', clientId: 'a' };
  const P = 'megabit/megabit';

  it('parses cleanly', () => expect(problems).toEqual([]));

  it('homeassistant controls the display but cannot install, remove or configure apps', () => {
    for (const cmd of ['notify', 'notify/dismiss', 'app', 'app/next', 'display', 'button', 'screen', 'rotation', 'night'])
      expect(canPublish(acl, ha, `${P}/cmd/${cmd}`)).toBe(true);
    expect(canReceive(acl, ha, `${P}/response/night`)).toBe(true);
    expect(canPublish(acl, { username: 'viewer', clientId: 'v' }, `${P}/cmd/night`)).toBe(false);
    for (const cmd of ['apps/install', 'apps/remove', 'apps/order', 'apps/preview', 'apps/clock/config', 'apps/clock/data'])
      expect(canPublish(acl, ha, `${P}/cmd/${cmd}`)).toBe(false);
    expect(canSubscribe(acl, ha, 'homeassistant/#')).toBe(true);
    expect(canPublish(acl, ha, 'homeassistant/status')).toBe(true);
    expect(canPublish(acl, ha, `${P}/availability`)).toBe(false);
  });

  it('homeassistant publishes screens (one topic level, the screen id) and reads their replies; the viewer cannot', () => {
    const viewer = { username: 'viewer', clientId: 'v' };
    expect(canPublish(acl, ha, `${P}/cmd/screens/power`)).toBe(true);
    expect(canSubscribe(acl, ha, `${P}/response/screens/+`)).toBe(true);
    expect(canReceive(acl, ha, `${P}/response/screens/power`)).toBe(true);
    expect(canPublish(acl, ha, `${P}/cmd/screens`)).toBe(false);
    expect(canPublish(acl, ha, `${P}/cmd/screens/power/extra`)).toBe(false);
    expect(canSubscribe(acl, ha, `${P}/cmd/screens/+`)).toBe(false);
    expect(canPublish(acl, viewer, `${P}/cmd/screens/power`)).toBe(false);
  });

  it("homeassistant sets when apps show (schedule, show_when, pin_when) and reads those replies, not the apps' config; the viewer cannot", () => {
    const viewer = { username: 'viewer', clientId: 'v' };
    for (const rule of ['schedule', 'show_when', 'pin_when']) {
      expect(canPublish(acl, ha, `${P}/cmd/apps/weather/${rule}`)).toBe(true);
      expect(canReceive(acl, ha, `${P}/response/apps/weather/${rule}`)).toBe(true);
      expect(canSubscribe(acl, ha, `${P}/cmd/apps/weather/${rule}`)).toBe(false);
      expect(canPublish(acl, viewer, `${P}/cmd/apps/weather/${rule}`)).toBe(false);
    }
    expect(canPublish(acl, ha, `${P}/cmd/apps/weather/config`)).toBe(false);
    expect(canReceive(acl, ha, `${P}/response/apps/weather/config`)).toBe(false);
  });

  it('homeassistant reads what its entities show and its replies, never the commands (app config carries API keys)', () => {
    for (const out of [
      'availability',
      'state',
      'state/display',
      'event/button',
      'display/snapshot',
      'response/notify',
      'response/app/next',
      'response/rotation',
    ]) {
      expect(canSubscribe(acl, ha, `${P}/${out}`)).toBe(true);
    }
    for (const hidden of ['cmd/#', 'cmd/apps/x/config', 'cmd/apps/x/data', 'cmd/apps/install', '#', 'event/apps/x/log']) {
      expect(canSubscribe(acl, ha, `${P}/${hidden}`)).toBe(false);
      if (!hidden.includes('#')) expect(canReceive(acl, ha, `${P}/${hidden}`)).toBe(false);
    }
    expect(canSubscribe(acl, ha, `${P}/#`)).toBe(false);
  });

  it('homeassistant may use every topic its discovered entities read and write, and their replies', () => {
    // With a serial display: the light and the screen also read P/state/display, as the firmware entity does.
    const identity = { discoveryPrefix: 'homeassistant', baseTopic: 'megabit', deviceId: 'megabit', version: '0.1.0', panel: true };
    const clock = { id: 'clock', name: 'Clock', version: '1.0.0', enabled: true, status: 'ok' as const };
    const reads = new Set<string>();
    const writes = new Set<string>();
    const collect = (value: unknown, key = ''): void => {
      if (typeof value === 'string' && /(^|_)topic$/.test(key)) (key === 'command_topic' ? writes : reads).add(value);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, Array.isArray(value) ? key : k);
    };
    const configs = buildDiscoveryConfigs(identity, new DeviceTopics(), [clock]);
    // The device config they are published in, and the single-component topics of older versions.
    expect(canReceive(acl, ha, 'homeassistant/device/megabit_megabit/config')).toBe(true);
    expect(canPublish(acl, ha, 'homeassistant/device/megabit_megabit/config')).toBe(false);
    for (const config of configs) {
      expect(canReceive(acl, ha, config.topic)).toBe(true);
      expect(canPublish(acl, ha, config.topic)).toBe(false);
      collect(config.payload);
    }
    expect(reads.size).toBeGreaterThanOrEqual(4);
    expect(writes.size).toBeGreaterThanOrEqual(6);
    for (const topic of reads) expect([topic, canSubscribe(acl, ha, topic)]).toEqual([topic, true]);
    for (const topic of writes) {
      expect([topic, canPublish(acl, ha, topic)]).toEqual([topic, true]);
      const reply = topic.replace('/cmd/', '/response/');
      expect([reply, canSubscribe(acl, ha, reply)]).toEqual([reply, true]);
    }
  });

  it('homeassistant drives every group through the group commands and reads their replies, but not a display’s own commands sent to a group', () => {
    for (const group of ['kitchen', 'downstairs']) {
      const G = `megabit/group/${group}`;
      for (const config of buildGroupDiscoveryConfigs('homeassistant', 'megabit', new GroupTopics('megabit', group))) {
        const { command_topic: command, availability } = config.payload as { command_topic: string; availability: { topic: string }[] };
        expect([command, canPublish(acl, ha, command)]).toEqual([command, true]);
        const reply = command.replace('/cmd/', '/response/');
        expect([reply, canSubscribe(acl, ha, reply)]).toEqual([reply, true]);
        for (const { topic } of availability) expect([topic, canSubscribe(acl, ha, topic)]).toEqual([topic, true]);
      }
      for (const cmd of ['display', 'rotation', 'app']) expect(canPublish(acl, ha, `${G}/cmd/${cmd}`)).toBe(true);
      for (const cmd of ['apps/install', 'apps/remove', 'apps/clock/config', 'button', 'icons/x'])
        expect([cmd, canPublish(acl, ha, `${G}/cmd/${cmd}`)]).toEqual([cmd, false]);
      // Home Assistant cannot mark a group available, nor read what is sent to it.
      expect(canPublish(acl, ha, `${G}/availability`)).toBe(false);
      expect(canSubscribe(acl, ha, `${G}/cmd/#`)).toBe(false);
    }
    expect(canSubscribe(acl, ha, 'megabit/group/#')).toBe(false);
  });

  it('homeassistant cannot pose as the bridge: availability, state, discovery configs', () => {
    for (const t of [
      `${P}/availability`,
      `${P}/state`,
      `${P}/state/apps`,
      `${P}/state/display`,
      `${P}/display/snapshot`,
      'homeassistant/device/megabit_megabit/config',
      'homeassistant/light/megabit_megabit/display/config',
      'homeassistant/device_automation/x/y/config',
      'homeassistant/device/group_megabit_kitchen/config',
    ]) {
      expect(canPublish(acl, ha, t)).toBe(false);
    }
  });

  it('viewer (the page) reads the display and presses its button, nothing more', () => {
    const viewer = { username: 'viewer', clientId: 'v' };
    for (const t of ['megabit/+/availability', `${P}/state`, `${P}/state/apps`, `${P}/display/frame`, `${P}/response/#`])
      expect(canSubscribe(acl, viewer, t)).toBe(true);
    expect(canSubscribe(acl, viewer, `${P}/cmd/#`)).toBe(false);
    expect(canReceive(acl, viewer, `${P}/cmd/apps/x/config`)).toBe(false);
    expect(canPublish(acl, viewer, `${P}/cmd/button`)).toBe(true);
    for (const t of [`${P}/cmd/apps/install`, `${P}/cmd/display`, `${P}/availability`]) expect(canPublish(acl, viewer, t)).toBe(false);
  });

  it('admin may do everything; clients without a login nothing', () => {
    expect(canPublish(acl, admin, `${P}/cmd/apps/install`)).toBe(true);
    expect(canSubscribe(acl, admin, '#')).toBe(true);
    expect(canSubscribe(acl, anon, '#')).toBe(false);
    expect(canPublish(acl, anon, `${P}/cmd/notify`)).toBe(false);
  });
});
