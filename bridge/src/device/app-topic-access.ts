/**
 * MQTT topics no app may read, whatever its manifest asks for. Commands to a display carry app
 * config (API keys in `apps/<id>/config`) and replies may quote what was sent; the bridge's own
 * client reads them all, so without this rule one app could read another's keys by naming its
 * config topic in `permissions.mqtt`. `$` topics are the broker's own.
 */

/** Whether an app may be handed the values of `topic`, under the display's base topic `baseTopic`. */
export function appMayReadTopic(topic: string, baseTopic: string): boolean {
  if (topic.startsWith('$')) return false;
  if (!topic.startsWith(`${baseTopic}/`)) return true;
  // <base>/<device id or "group/<name>">/cmd|response/...: any display's, not only this one's.
  const levels = topic.slice(baseTopic.length + 1).split('/');
  const kind = levels[0] === 'group' ? levels[2] : levels[1];
  return kind !== 'cmd' && kind !== 'response';
}
