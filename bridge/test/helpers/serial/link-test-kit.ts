/** Shared bits of the link unit tests: frames and a pluggable cable. */
import { FRAME_BYTES } from '@megabit/contract';
import type { OpenChannel } from '../../../src/serial/port-opener';
import { FakeDevice, type FakeDeviceOptions } from './fake-device';
import { type MemoryEnd, memoryChannelPair } from './memory-channel';

/** A frame whose every pixel depends on `seed`: no two seeds give equal frames. */
export function patternFrame(seed: number): Uint8Array {
  return new Uint8Array(FRAME_BYTES).map((_, i) => (i * 31 + seed * 7 + ((i * seed) >> 5)) & 0xff);
}

/**
 * A USB cable to a fake device: while plugged, opening gives a fresh channel to a device that
 * has just booted (a new boot id each time); unplugging closes the channel.
 */
export class FakeCable {
  plugged = true;
  device?: FakeDevice;
  hostEnd?: MemoryEnd;
  opens = 0;
  private boots = 0;

  constructor(
    private readonly options: FakeDeviceOptions = {},
    private readonly configure?: (host: MemoryEnd, dev: MemoryEnd) => void,
  ) {}

  readonly open = async (path: string): Promise<OpenChannel> => {
    this.opens++;
    if (!this.plugged) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    const [host, dev] = memoryChannelPair();
    this.configure?.(host, dev);
    this.device?.close();
    const device = new FakeDevice(dev, this.options);
    device.bootId = 0x5000 + ++this.boots;
    this.device = device;
    this.hostEnd = host;
    return { channel: host, path, close: async () => host.close() };
  };

  unplug(): void {
    this.plugged = false;
    this.device?.close();
    this.hostEnd?.close();
  }

  plug(): void {
    this.plugged = true;
  }

  close(): void {
    this.device?.close();
    this.hostEnd?.close();
  }
}
