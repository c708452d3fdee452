/**
 * Finds and opens the coprocessor's serial port. `auto` picks the first port whose USB
 * manufacturer or by-id name says "Megabit" (the firmware's USB descriptors name both the
 * manufacturer and the product "Megabit": /dev/serial/by-id/usb-Megabit_Megabit_<id>-if00).
 */
import type { ByteChannel } from './byte-channel';
import { DirectWritePort } from './direct-write';

export const AUTO_PATH = 'auto';
const USB_NAME = /megabit/i;

export interface OpenChannel {
  channel: ByteChannel;
  /** The device path actually opened. */
  path: string;
  close(): Promise<void>;
}

export type ChannelOpener = (configured: string) => Promise<OpenChannel>;

/** The port the Megabit firmware enumerated as, among what `SerialPort.list()` returned. */
export function pickMegabitPort(ports: ReadonlyArray<{ path: string; manufacturer?: string; pnpId?: string }>): string {
  const found = ports.find((p) => USB_NAME.test(p.manufacturer ?? '') || USB_NAME.test(p.pnpId ?? ''));
  if (!found) throw new Error('no USB serial device named "Megabit" is connected');
  return found.path;
}

/** Opens `configured` (a device path or `auto`) raw, 8N1; USB CDC and ptys ignore the baud rate. */
export const openSerialChannel: ChannelOpener = async (configured) => {
  // Loaded with the first port opened: a bridge without display hardware (serial.path unset) never needs it.
  const { SerialPort } = require('serialport') as typeof import('serialport');
  const path = configured === AUTO_PATH ? pickMegabitPort(await SerialPort.list()) : configured;
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  // The session reports errors while it runs; one arriving while none listens (during closing)
  // must not become an uncaught 'error' event that takes the whole bridge down.
  port.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return {
    // Not on Windows: its binding's handle is no file descriptor for fs.
    channel: process.platform === 'win32' ? port : new DirectWritePort(port),
    path,
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
};
