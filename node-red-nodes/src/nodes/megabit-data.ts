/**
 * `megabit data`: sends msg.payload to an app's data inbox (`apps/<id>/data`). Buffers and text
 * go as they are, anything else as JSON; the app decides what the bytes mean.
 */
import { COMMANDS, commandPath, isValidId } from '@megabit/contract';
import { handleCommands, InvalidInputError } from '../lib/command-input';
import { useDevice } from '../lib/device-node';
import { formText } from '../lib/msg-values';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

function payloadBytes(path: string, payload: unknown): Buffer {
  if (payload === undefined) throw new InvalidInputError(path, 'msg.payload is empty');
  let bytes: Buffer;
  if (Buffer.isBuffer(payload)) bytes = payload;
  else if (payload instanceof Uint8Array) bytes = Buffer.from(payload);
  else if (typeof payload === 'string') bytes = Buffer.from(payload, 'utf8');
  else bytes = Buffer.from(JSON.stringify(payload), 'utf8');
  const limit = COMMANDS.appData.maxBytes;
  if (bytes.length > limit) throw new InvalidInputError(path, `msg.payload is ${bytes.length} bytes; the limit is ${limit}`);
  return bytes;
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit data', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const formApp = formText(def.app);
    handleCommands(this, link, (msg, device) => {
      const id = formApp ?? msg.app;
      if (typeof id !== 'string' || !isValidId(id)) {
        throw new InvalidInputError(
          commandPath('appData', { appId: '<id>' }),
          `give a valid app id in the node or msg.app (got ${JSON.stringify(id) ?? 'nothing'})`,
        );
      }
      const path = commandPath('appData', { appId: id });
      // Raw bytes carry no transaction: the reply is matched by order (see replies.ts).
      return device.request('appData', { raw: payloadBytes(path, msg.payload) }, { appId: id });
    });
  });
}

export = register;
