/** The Megabit serial protocol v1 codec (docs/serial-protocol.md). Pure: no I/O, no timers. */
export * from './constants';
export { cobsDecode, cobsEncode } from './cobs';
export { crc16, crc32 } from './crc';
export { decodeMessage, encodeBody, encodeMessage, type DecodeResult } from './messages';
export { encodePacket, PacketParser, type DropReason, type Packet, type ParseEvent } from './packet';
export { namedCounters, type StatusCounterName } from './status';
export { messageNameOf, SCHEMAS, type Message, type MessageName, type MessageOf } from './schema';
export { decodeLevelRice, encodeLevelRice, LevelRiceEncoder, levelRiceRowsAbove, levelRiceRowsAboveIn } from './level-rice';
export { PRIMED_ROWS } from './level-rice-model';
export { classIndices, GAMMA16, type LevelClasses, levelClasses, quantise, shownLevel } from './levels';
