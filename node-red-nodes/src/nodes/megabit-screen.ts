/**
 * `megabit screen`: puts a screen into the display's rotation (`P/cmd/screens/<id>`), or takes it
 * out. The form sets every content field; msg.payload overrides it (see lib/screen-fields.ts);
 * msg.remove, or an empty payload, removes the screen. The status shows the bridge's reply.
 */
import { handleCommands, InvalidInputError } from '../lib/command-input';
import { useDevice } from '../lib/device-node';
import { isPlainObject } from '../lib/msg-values';
import { isRemoval, readScreenForm, screenMessage } from '../lib/screen-fields';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

const WHAT = 'screens/<id>';

/**
 * Screen ids: app ids' alphabet, at most 32 characters. The contract's SCREEN_ID_PATTERN and
 * isScreenId, which come with the bridge's screens, say the same and replace this.
 */
const SCREEN_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The id becomes a topic level (`P/cmd/screens/<id>`), so it must be a valid one. */
function screenPath(id: unknown): string {
  if (typeof id !== 'string' || !SCREEN_ID.test(id)) {
    const got = JSON.stringify(id) ?? 'nothing';
    throw new InvalidInputError(WHAT, `give the screen an id of 1 to 32 of a-z, 0-9, "_" and "-" in the node, msg.screen_id or msg.payload.id (got ${got})`);
  }
  return `screens/${id}`;
}

/** The status after a reply: what happened to which screen, and the fields whose template the bridge could not render. */
function describeReply(reply: Record<string, unknown>, removed: boolean): string {
  const outcome = `${removed ? 'removed' : 'shown'}: ${String(reply.id ?? '')}`;
  const fields = Array.isArray(reply.errors) ? reply.errors.map((e: { field?: unknown }) => String(e.field)) : [];
  return fields.length > 0 ? `${outcome}, template errors in ${fields.join(', ')}` : outcome;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit screen', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const form = readScreenForm(def);
    handleCommands(
      this,
      link,
      (msg, device) => {
        if (isRemoval(msg.payload, msg.remove)) {
          const named = isPlainObject(msg.payload) ? msg.payload.id : undefined;
          return device.requestPath(screenPath(named ?? msg.screen_id ?? form.screenId), { raw: '' });
        }
        const { id, request } = screenMessage(WHAT, form, msg.payload, msg.screen_id);
        return device.requestPath(screenPath(id), { json: request });
      },
      (reply, msg) => describeReply(reply, isRemoval(msg.payload, msg.remove)),
    );
  });
}

export = register;
