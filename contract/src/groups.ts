/**
 * Display groups (docs/mqtt-api.md, "Groups"): every bridge whose `megabit.yaml` lists a group
 * also takes commands on `<base>/group/<name>/cmd/<path>` and replies on its own
 * `P/response/<path>` and on `<base>/group/<name>/response/<path>`, with its `device_id`. The
 * broker is the only thing the members share: there is no coordinator.
 */
import type { CommandName } from './commands';
import { DeviceTopics } from './topics';

/** The topic level under the base topic that holds the groups; no display may take it as its id. */
export const GROUP_LEVEL = 'group';

/**
 * The commands a group takes: what changes the picture the same way on every display (a group's
 * screen is kept by every member, like one sent to each). Installs,
 * removals, app config and data, icons, the button and screenshots are each display's own (their
 * state and files differ per display); a group refuses them with `unknown_command`.
 */
export const GROUP_COMMANDS: readonly CommandName[] = ['notify', 'notifyDismiss', 'app', 'appNext', 'appPrevious', 'display', 'rotation', 'screens'];

export function isGroupCommand(name: CommandName): boolean {
  return GROUP_COMMANDS.includes(name);
}

/**
 * A group's topics: the same shape as a display's, under `<base>/group/<name>` instead of
 * `<base>/<device_id>`, so whatever sends commands to a display sends them to a group unchanged.
 */
export class GroupTopics extends DeviceTopics {
  constructor(
    baseTopic: string,
    readonly group: string,
  ) {
    super(`${baseTopic}/${GROUP_LEVEL}`, group);
  }
}

/** `<base>/group/+/availability`: set `online` by the members (Home Assistant's group entities follow it). */
export const GROUP_AVAILABILITY = 'availability';
