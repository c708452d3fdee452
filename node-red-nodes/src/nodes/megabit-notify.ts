/**
 * `megabit notify`: msg.payload becomes a notification on the display. The form sets colour,
 * icon, progress, duration, repeat, priority, hold and id; msg properties override the form, and
 * the fields of an object payload override both. msg.topic "dismiss" removes a notification.
 * A group (the form's, or msg.group) sends it to every display of that group instead, over the
 * device's connection, and the output collects their replies.
 */
import { CMD, isValidId, parseDismiss, parseNotify } from '@megabit/contract';
import { checked, handleCommands, InvalidInputError } from '../lib/command-input';
import { useDevice } from '../lib/device-node';
import { defined, formNumber, formText, isPlainObject } from '../lib/msg-values';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../lib/node-red';

function formSettings(def: NodeDef): Record<string, unknown> {
  const durationS = formNumber(def.duration);
  return defined({
    id: formText(def.notificationId),
    color: formText(def.color),
    icon: formText(def.iconName),
    progress: formNumber(def.progress),
    duration_ms: durationS === undefined ? undefined : Math.round(durationS * 1000),
    repeat: formNumber(def.repeat),
    priority: formText(def.priority),
    hold: def.hold === true ? true : undefined,
  });
}

function msgSettings(msg: NodeMessage): Record<string, unknown> {
  return defined({
    id: msg.notification_id,
    color: msg.color,
    icon: msg.icon,
    progress: msg.progress,
    duration_ms: msg.duration_ms,
    repeat: msg.repeat,
    priority: msg.priority,
    hold: msg.hold,
  });
}

function payloadFields(payload: unknown): Record<string, unknown> {
  if (isPlainObject(payload)) return payload;
  if (typeof payload === 'string') return { text: payload };
  if (Buffer.isBuffer(payload)) return { text: payload.toString('utf8') };
  if (typeof payload === 'number' || typeof payload === 'boolean') return { text: String(payload) };
  throw new InvalidInputError(CMD.notify, 'msg.payload must be the text, or an object with "text"');
}

/** The group to send to (msg.group, else the form's), or undefined for the device itself. */
function targetGroup(what: string, formGroup: string | undefined, msg: NodeMessage): string | undefined {
  const group = msg.group ?? formGroup;
  if (group === undefined || group === '') return undefined;
  if (!isValidId(group)) throw new InvalidInputError(what, `msg.group must be a group name (1-64 of a-z, 0-9, "_", "-"), got ${JSON.stringify(group)}`);
  return group;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit notify', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const settings = formSettings(def);
    const formGroup = formText(def.group);
    handleCommands(this, link, (msg, device) => {
      if (msg.topic === 'dismiss') {
        const id = isPlainObject(msg.payload) ? msg.payload.id : (msg.notification_id ?? settings.id);
        const request = checked(CMD.notifyDismiss, parseDismiss(JSON.stringify(defined({ id }))));
        const group = targetGroup(CMD.notifyDismiss, formGroup, msg);
        return group ? device.requestGroupPath(group, CMD.notifyDismiss, { json: request }) : device.request('notifyDismiss', { json: request });
      }
      const group = targetGroup(CMD.notify, formGroup, msg);
      const fields = { ...settings, ...msgSettings(msg), ...payloadFields(msg.payload) };
      // Checked here, but sent as given: for a notification with an icon, progress or other
      // screen content the parser's result is the bridge's inner form ({text, content}), not a payload.
      checked(CMD.notify, parseNotify(JSON.stringify(fields)));
      return group ? device.requestGroupPath(group, CMD.notify, { json: fields }) : device.requestPath(CMD.notify, { json: fields });
    });
  });
}

export = register;
