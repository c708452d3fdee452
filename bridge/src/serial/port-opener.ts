/**
 * Finds and opens the coprocessor's serial port. `auto` picks the first port whose USB
 * manufacturer or by-id name says "Megabit" (the firmware's USB descriptor: manufacturer
 * "Megabit", product "Megabit Display").
 */
import { SerialPort } from 'serialport';
import type { ByteChannel } from './byte-channel';

export const AUTO_PATH = 'auto';
const USB_NAME = /megabit/i;

export interface OpenChannel {
  channel: ByteChannel;
  /** The device path actually opened. */
  path: string;
  close(): Promise<void>;
}

export type ChannelOpener = (configured: string) => Promise<OpenChannel>;

export class PortNotFoundError extends Error {}

export async function findMegabitPort(): Promise<string> {
  const ports = await SerialPort.list();
  const found = ports.find((p) => USB_NAME.test(p.manufacturer ?? '') || USB_NAME.test(p.pnpId ?? ''));
  if (!found) throw new PortNotFoundError('no USB serial device named "Megabit" is connected');
  return found.path;
}

/** Opens `configured` (a device path or `auto`) raw, 8N1; USB CDC and ptys ignore the baud rate. */
export const openSerialChannel: ChannelOpener = async (configured) => {
  const path = configured === AUTO_PATH ? await findMegabitPort() : configured;
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return {
    channel: port,
    path,
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
};
