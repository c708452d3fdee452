/** Display groups in the contract: their topics, the commands they take, and the docs' list of them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, DeviceTopics, GROUP_COMMANDS, GroupTopics, isGroupCommand, routeCommand } from '../src';

describe('group topics', () => {
  const kitchen = new GroupTopics('megabit', 'kitchen');

  it('have a display’s shape under <base>/group/<name>', () => {
    expect(kitchen.cmd('notify')).toBe('megabit/group/kitchen/cmd/notify');
    expect(kitchen.response('notify/dismiss')).toBe('megabit/group/kitchen/response/notify/dismiss');
    expect(kitchen.out('availability')).toBe('megabit/group/kitchen/availability');
    expect(kitchen.allCommands).toBe('megabit/group/kitchen/cmd/#');
    expect(kitchen.commandPath('megabit/group/kitchen/cmd/app/next')).toBe('app/next');
    expect(new GroupTopics('home/displays', 'kitchen').allCommands).toBe('home/displays/group/kitchen/cmd/#');
  });

  it('never read a display’s commands, nor another group’s', () => {
    expect(kitchen.commandPath('megabit/kitchen/cmd/notify')).toBeUndefined();
    expect(kitchen.commandPath('megabit/group/downstairs/cmd/notify')).toBeUndefined();
    expect(new DeviceTopics('megabit', 'kitchen').commandPath(kitchen.cmd('notify'))).toBeUndefined();
  });
});

describe('group commands', () => {
  it('are the display commands that change the picture alike everywhere; what a display holds is its own', () => {
    expect(GROUP_COMMANDS.map((name) => COMMANDS[name].path).sort()).toEqual([
      'app',
      'app/next',
      'app/previous',
      'display',
      'notify',
      'notify/dismiss',
      'rotation',
      'screens/{screenId}',
    ]);
    for (const path of ['apps/install', 'apps/remove', 'apps/order', 'apps/preview', 'apps/clock/config', 'apps/clock/data', 'icons/x', 'button', 'screen']) {
      expect([path, isGroupCommand(routeCommand(path)!.name)]).toEqual([path, false]);
    }
  });

  it('are the ones docs/mqtt-api.md lists for groups', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'mqtt-api.md'), 'utf8');
    const sentence = /A group takes the commands that change the picture alike on every display:([^.]*)\./.exec(doc);
    expect(sentence).not.toBeNull();
    const listed = [...sentence![1].matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(GROUP_COMMANDS.map((name) => COMMANDS[name].path).sort());
  });
});
