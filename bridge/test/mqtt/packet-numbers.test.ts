/**
 * mqtt-packet's table of every 16-bit number (65536 buffers, built on the first packet written)
 * stays unbuilt once the bridge has turned it off, and packets are written the same without it.
 */
import { PassThrough } from 'node:stream';
import { parser as mqttParser, writeToStream, type IPublishPacket, type Packet } from 'mqtt-packet';
import { writePacketNumbersWithoutTable } from '../../src/mqtt/packet-numbers';

const numberTable = (require('mqtt-packet/numbers') as { cache: Record<number, Buffer> }).cache;

it('writes packets without building the number table, and they parse back the same', async () => {
  writePacketNumbersWithoutTable();
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const packet: IPublishPacket = {
    cmd: 'publish',
    topic: 'megabit/megabit/display/frame',
    payload: Buffer.alloc(6144, 7),
    qos: 1,
    messageId: 4660,
    retain: true,
    dup: false,
  };
  writeToStream(packet, stream, { protocolVersion: 5 });
  // The stream hands on what was written on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  expect(Object.keys(numberTable)).toHaveLength(0);
  const parsed: Packet[] = [];
  const p = mqttParser({ protocolVersion: 5 });
  p.on('packet', (out) => parsed.push(out));
  p.parse(Buffer.concat(chunks));
  expect(parsed).toEqual([expect.objectContaining({ cmd: 'publish', topic: packet.topic, messageId: 4660, qos: 1, retain: true })]);
  expect(Buffer.from((parsed[0] as IPublishPacket).payload).equals(Buffer.alloc(6144, 7))).toBe(true);
});
