/**
 * One group's commands as a source for the command router: `<base>/group/<name>/cmd/<path>`,
 * run like the display's own (same lanes, same handlers), with two differences. Only the group
 * commands (GROUP_COMMANDS) are taken; the rest are each display's own and are refused. And each
 * reply goes to the display's own `P/response/<path>` and to the group's
 * `<base>/group/<name>/response/<path>`, carrying `device_id` and `group`, so a client that asked
 * the group sees which display did what.
 */
import { COMMANDS, GROUP_COMMANDS, isGroupCommand, type ApiError, type CommandRoute, type DeviceTopics, type GroupTopics } from '@megabit/contract';
import type { CommandContext } from '../mqtt/api/commands';
import type { CommandSource } from '../mqtt/api/command-router';

export interface ReplyPublisher {
  publish(topic: string, payload: string, options: { qos: 0 | 1 }): void;
}

export function groupCommandSource(group: GroupTopics, own: DeviceTopics, deviceId: string, context: CommandContext, mqtt: ReplyPublisher): CommandSource {
  return {
    filter: group.allCommands,
    commandPath: (topic) => group.commandPath(topic),
    context,
    refuse: (route, path) => (isGroupCommand(route.name) ? undefined : notForGroups(route, path, group, own)),
    reply: (path, body) => {
      const payload = JSON.stringify({ ...body, device_id: deviceId, group: group.group });
      mqtt.publish(own.response(path), payload, { qos: 1 });
      mqtt.publish(group.response(path), payload, { qos: 1 });
    },
  };
}

const GROUP_PATHS = GROUP_COMMANDS.map((name) => COMMANDS[name].path).join(', ');

function notForGroups(_route: CommandRoute, path: string, group: GroupTopics, own: DeviceTopics): ApiError {
  return {
    code: 'unknown_command',
    message: `"${path}" is not a group command: send it to each display (${own.cmd(path)}); group ${group.group} takes ${GROUP_PATHS}`,
  };
}
