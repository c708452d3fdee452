/** Shared bits of the link unit tests: waiting, a capturing logger, frames, a pluggable cable. */
import { FRAME_BYTES } from '@megabit/contract';
import type { OpenChannel } from '../../../src/serial/port-opener';
import { createLogger, type Level, type Logger } from '../../../src/util/logger';
import { FakeDevice, type FakeDeviceOptions } from './fake-device';
import { type MemoryEnd, memoryChannelPair } from './memory-channel';

export async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CapturedLog {
  log: Logger;
  lines: Array<{ level: Level; message: string }>;
  count(pattern: RegExp): number;
}

export function captureLog(): CapturedLog {
  const lines: Array<{ level: Level; message: string }> = [];
  return {
    log: createLogger('debug', 'test', (level, _component, message) => lines.push({ level, message })),
    lines,
    count: (pattern) => lines.filter((l) => pattern.test(l.message)).length,
  };
}

/** A frame whose every pixel depends on `seed`: no two seeds give equal frames. */
export function patternFrame(seed: number): Uint8Array {
  return new Uint8Array(FRAME_BYTES).map((_, i) => (i * 31 + seed * 7 + ((i * seed) >> 5)) & 0xff);
}

export function solidFrame(r: number, g: number, b: number): Uint8Array {
  const frame = new Uint8Array(FRAME_BYTES);
  for (let i = 0; i < FRAME_BYTES; i += 3) frame.set([r, g, b], i);
  return frame;
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

  constructor(private readonly options: FakeDeviceOptions = {}, private readonly configure?: (host: MemoryEnd, dev: MemoryEnd) => void) {}

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
