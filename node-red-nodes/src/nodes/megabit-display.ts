/**
 * `megabit display`: turns the panel on or off and sets its brightness. The form gives the
 * defaults; msg.payload overrides them: "ON"/"OFF", true/false, a brightness 0-255, or
 * { state, brightness, transition, flash } (a fade and a blink, in seconds).
 */
import { CMD, parseDisplay } from '@megabit/contract';
import { checked, handleCommands, InvalidInputError } from '../lib/command-input';
import { useDevice } from '../lib/device-node';
import { defined, formNumber, formText, isPlainObject } from '../lib/msg-values';
import type { Node, NodeAPI, NodeDef } from '../lib/node-red';

function power(value: unknown): unknown {
  if (value === true) return 'ON';
  if (value === false) return 'OFF';
  return typeof value === 'string' ? value.trim().toUpperCase() : value;
}

function fromPayload(payload: unknown): Record<string, unknown> {
  if (payload === undefined || payload === null || payload === '') return {};
  if (isPlainObject(payload)) {
    return defined({ state: power(payload.state), brightness: payload.brightness, transition: payload.transition, flash: payload.flash });
  }
  if (typeof payload === 'number') return { brightness: payload };
  if (typeof payload === 'string' && /^\s*\d+\s*$/.test(payload)) return { brightness: Number(payload) };
  if (typeof payload === 'boolean' || typeof payload === 'string') return { state: power(payload) };
  throw new InvalidInputError(CMD.display, 'msg.payload must be "ON", "OFF", true, false, a brightness 0-255 or { state, brightness, transition, flash }');
}

function register(RED: NodeAPI): void {
  RED.nodes.registerType('megabit display', function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const link = useDevice(RED, this, def);
    const form = defined({ state: formText(def.power), brightness: formNumber(def.brightness) });
    handleCommands(this, link, (msg, device) => {
      const request = checked(CMD.display, parseDisplay(JSON.stringify({ ...form, ...fromPayload(msg.payload) })));
      return device.request('display', { json: request });
    });
  });
}

export = register;
