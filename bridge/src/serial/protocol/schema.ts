/**
 * Every message's body layout (docs/serial-protocol.md §3), as data: the encoder, the decoder
 * and the TypeScript message types are all derived from this one table.
 */

type FieldSize = 1 | 2 | 4;
type TailKind = 'bytes' | 'text' | 'counters';

export interface MessageSchema {
  readonly type: number;
  readonly fields: readonly (readonly [name: string, size: FieldSize])[];
  readonly tail?: { readonly name: string; readonly kind: TailKind };
}

export const SCHEMAS = {
  HELLO: {
    type: 0x01,
    fields: [
      ['major', 1],
      ['minor', 1],
    ],
  },
  HEARTBEAT: {
    type: 0x02,
    fields: [
      ['session', 1],
      ['id', 4],
    ],
  },
  ACK: { type: 0x03, fields: [['next', 2]] },
  NACK: { type: 0x04, fields: [['next', 2]] },
  WRITE_RECT: {
    type: 0x10,
    fields: [
      ['format', 1],
      ['x', 1],
      ['y', 1],
      ['w', 1],
      ['h', 1],
    ],
    tail: { name: 'pixels', kind: 'bytes' },
  },
  COMMIT: { type: 0x11, fields: [['frameId', 4]] },
  SET_BRIGHTNESS: { type: 0x12, fields: [['level', 1]] },
  SET_POWER: { type: 0x13, fields: [['on', 1]] },
  SET_LEDS: {
    type: 0x14,
    fields: [
      ['mask', 1],
      ['state', 1],
    ],
  },
  GET_STATUS: { type: 0x15, fields: [] },
  HELLO_REPLY: {
    type: 0x81,
    fields: [
      ['result', 1],
      ['protoMajor', 1],
      ['protoMinor', 1],
      ['fwMajor', 1],
      ['fwMinor', 1],
      ['fwPatch', 1],
      ['width', 2],
      ['height', 2],
      ['colourDepth', 1],
      ['maxPacket', 2],
      ['window', 1],
      ['bootId', 4],
    ],
    tail: { name: 'board', kind: 'text' },
  },
  DEV_HEARTBEAT: {
    type: 0x82,
    fields: [
      ['session', 1],
      ['bootId', 4],
    ],
  },
  DEV_ACK: { type: 0x83, fields: [['next', 2]] },
  DEV_NACK: { type: 0x84, fields: [['next', 2]] },
  LOG: { type: 0x85, fields: [['level', 1]], tail: { name: 'text', kind: 'text' } },
  STATUS: {
    type: 0x86,
    fields: [
      ['frameId', 4],
      ['frameCrc', 4],
      ['refreshHz', 2],
      ['uptimeMs', 4],
      ['brightness', 1],
      ['power', 1],
    ],
    tail: { name: 'counters', kind: 'counters' },
  },
  REJECT: {
    type: 0x87,
    fields: [
      ['rejectedSeq', 2],
      ['reason', 1],
    ],
  },
  /** What the device's previous boot died of; sent after each HELLO_REPLY of the boot after. */
  FAULT: {
    type: 0x88,
    fields: [
      ['kind', 1],
      ['pc', 4],
      ['lr', 4],
      ['cfsr', 4],
    ],
  },
  BUTTON: {
    type: 0x90,
    fields: [
      ['button', 1],
      ['event', 1],
      ['timeMs', 4],
    ],
  },
} as const satisfies Record<string, MessageSchema>;

type Schemas = typeof SCHEMAS;
export type MessageName = keyof Schemas;

type TailValue<K> = K extends 'bytes' ? Uint8Array : K extends 'text' ? string : number[];
type TailPart<S> = S extends { tail: { name: infer N extends string; kind: infer K } } ? { [P in N]: TailValue<K> } : unknown;
type FieldPart<S> = S extends { fields: infer L extends readonly (readonly [string, FieldSize])[] } ? { [P in L[number][0]]: number } : never;

export type MessageOf<N extends MessageName> = { name: N; seq: number } & FieldPart<Schemas[N]> & TailPart<Schemas[N]>;

/** Any protocol message, discriminated by `name`. `seq` is 0 for unsequenced types. */
export type Message = { [N in MessageName]: MessageOf<N> }[MessageName];

const BY_TYPE = new Map<number, MessageName>((Object.keys(SCHEMAS) as MessageName[]).map((name) => [SCHEMAS[name].type, name]));

export function messageNameOf(type: number): MessageName | undefined {
  return BY_TYPE.get(type);
}

export function schemaOf(name: MessageName): MessageSchema {
  return SCHEMAS[name];
}
