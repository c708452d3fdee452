/**
 * Display groups (`groups` in megabit.yaml): each group's commands join the command router as
 * one more source, a part carries a button's dismiss of a group notification to the rest of
 * the group, and one sets the group's availability. Nothing here for a display in no group.
 */
import { GroupTopics } from '@megabit/contract';
import type { CommandContext } from '../mqtt/api/commands';
import type { CommandRouter } from '../mqtt/api/command-router';
import type { Part } from '../part';
import type { PartContext } from '../parts';
import { groupCommandSource } from './group-commands';
import { GroupNotifications } from './group-notifications';
import { GroupPresence } from './group-presence';

export function groupParts(ctx: PartContext, router: CommandRouter, context: CommandContext): Part[] {
  const { settings } = ctx;
  if (settings.groups.length === 0) return [];
  const groups = new Map(settings.groups.map((name) => [name, new GroupTopics(settings.mqtt.base_topic, name)]));
  const notifications = new GroupNotifications(groups, ctx.device, ctx.bus, ctx.mqtt, ctx.log.child('groups'));
  for (const [name, topics] of groups) {
    router.addSource(
      groupCommandSource(topics, ctx.topics, settings.device_id, { ...context, device: notifications.deviceFor(name, context.device) }, ctx.mqtt),
    );
  }
  return [notifications, new GroupPresence([...groups.values()], ctx.mqtt)];
}
