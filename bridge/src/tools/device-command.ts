/**
 * `megabit device <info|status|test-pattern>`: talks to the display coprocessor directly over
 * its serial port, without MQTT or a running bridge. For wiring a panel for the first time.
 * It stands apart from the bridge's serial link (no supervisor, reporter or retries): one port,
 * one session, one question, then it exits.
 */
import { DISPLAY_HEIGHT, DISPLAY_WIDTH, FRAME_BYTES } from '@megabit/contract';
import { FrameSync } from '../serial/frame-sync';
import { type DeviceInfo, LinkSession } from '../serial/link-session';
import { AUTO_PATH, type ChannelOpener, openSerialChannel } from '../serial/port-opener';
import { crc32, type MessageOf, STATUS_COUNTERS } from '../serial/protocol';
import { type FlashIo, flashDevice, systemFlashIo } from './device-flash';

export const DEVICE_HELP = `megabit device: check the display coprocessor over its serial port (no MQTT needed)

  megabit device info           board, firmware and protocol versions, panel size
  megabit device status         the frame shown, refresh rate, brightness, link counters
  megabit device test-pattern   show colour bars, a grey ramp and a white border, and check
                                that the device got every pixel right (CRC-32)
  megabit device flash FILE     reflash the Nano 33 BLE with FILE (firmware.bin): restarts it
                                into its bootloader (1200-baud touch), runs bossac (from PATH
                                or the Arduino mbed core), waits for the firmware to come back

Options:
  --serial PATH    the serial device, or "auto" to find it by its USB name
                   (default $MEGABIT_SERIAL_PATH, else auto)
  --timeout MS     how long to wait for the device to answer, or (flash) for each port to
                   appear (default 5000; flash: 15000)

Stop the bridge first: only one program can use the port at a time.
`;

const COMMANDS = ['info', 'status', 'test-pattern', 'flash'] as const;
type Command = (typeof COMMANDS)[number];

export interface DeviceCommandIo {
  out: (line: string) => void;
  openChannel?: ChannelOpener;
  env?: NodeJS.ProcessEnv;
  /** For `flash`: ports, programs and clock (the system's by default). */
  flashIo?: FlashIo;
}

interface Parsed {
  command: Command;
  path: string;
  timeoutMs: number;
  file?: string;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Parsed | 'help' {
  let command: Command | undefined;
  let path = env.MEGABIT_SERIAL_PATH ?? AUTO_PATH;
  let timeoutMs: number | undefined;
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.startsWith('--') ? arg.split('=', 2) : [arg, undefined];
    if (flag === '--serial' || flag === '--timeout') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new Error(`${flag} needs a value`);
      if (flag === '--serial') path = value;
      else {
        timeoutMs = Number(value);
        if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error('--timeout must be a whole number of milliseconds, at least 100');
      }
    } else if (!arg.startsWith('-') && command === undefined && (COMMANDS as readonly string[]).includes(arg)) {
      command = arg as Command;
    } else if (!arg.startsWith('-') && command === 'flash' && file === undefined) {
      file = arg;
    } else {
      throw new Error(`unknown argument "${arg}" (see megabit device --help)`);
    }
  }
  if (!command) return 'help';
  if (command === 'flash' && !file) throw new Error('flash needs the image to write: megabit device flash firmware/build/nano33ble/firmware.bin');
  return { command, path, timeoutMs: timeoutMs ?? (command === 'flash' ? 15000 : 5000), file };
}

/** Colour bars on top, a grey ramp below, a one-pixel white border: easy to check by eye. */
export function testPattern(): Uint8Array {
  const bars = [
    [255, 255, 255],
    [255, 255, 0],
    [0, 255, 255],
    [0, 255, 0],
    [255, 0, 255],
    [255, 0, 0],
    [0, 0, 255],
    [0, 0, 0],
  ];
  const frame = new Uint8Array(FRAME_BYTES);
  for (let y = 0; y < DISPLAY_HEIGHT; y++) {
    for (let x = 0; x < DISPLAY_WIDTH; x++) {
      const grey = Math.round((x / (DISPLAY_WIDTH - 1)) * 255);
      const border = x === 0 || y === 0 || x === DISPLAY_WIDTH - 1 || y === DISPLAY_HEIGHT - 1;
      const rgb = border ? [255, 255, 255] : y < 20 ? bars[Math.floor(x / 8)] : [grey, grey, grey];
      frame.set(rgb, (y * DISPLAY_WIDTH + x) * 3);
    }
  }
  return frame;
}

function describe(info: DeviceInfo, path: string): string[] {
  return [
    `port:      ${path}`,
    `board:     ${info.board}`,
    `firmware:  ${info.firmwareVersion}`,
    `protocol:  ${info.protocolVersion}`,
    `panel:     ${info.width}x${info.height}, ${info.colourDepth} bits per colour`,
    `link:      packets up to ${info.maxPacket} bytes, window ${info.window}`,
    `boot id:   ${info.bootId.toString(16).padStart(8, '0')}`,
  ];
}

function describeStatus(status: MessageOf<'STATUS'>): string[] {
  return [
    `frame:      ${status.frameId} (CRC-32 ${status.frameCrc.toString(16).padStart(8, '0')})`,
    `refresh:    ${status.refreshHz} Hz${status.refreshHz === 0 ? ' (no panel on this board)' : ''}`,
    `uptime:     ${(status.uptimeMs / 1000).toFixed(1)} s`,
    `brightness: ${status.brightness}, power ${status.power ? 'on' : 'off'}`,
    ...STATUS_COUNTERS.map((name, i) => `  ${name.padEnd(14)} ${status.counters[i] ?? '-'}`),
  ];
}

/** Runs the command; resolves with the process exit code. Throws with a clear message on failure. */
export async function runDeviceCommand(argv: string[], io: DeviceCommandIo): Promise<number> {
  const parsed = parse(argv, io.env ?? process.env);
  if (parsed === 'help') {
    io.out(DEVICE_HELP);
    return 0;
  }
  if (parsed.command === 'flash') {
    const flashIo = io.flashIo ?? systemFlashIo(io.out, io.env ?? process.env);
    return flashDevice({ file: parsed.file!, serial: parsed.path, waitMs: parsed.timeoutMs }, flashIo);
  }
  const opened = await (io.openChannel ?? openSerialChannel)(parsed.path);
  let session: LinkSession | undefined;
  try {
    const conversation = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no answer from a Megabit device on ${opened.path} within ${parsed.timeoutMs} ms: is the firmware flashed, and is this its port?`)),
        parsed.timeoutMs,
      );
      const frames = new FrameSync(() => session?.send({ name: 'GET_STATUS', seq: 0 }));
      const finish = (code: number): void => {
        clearTimeout(timer);
        resolve(code);
      };
      session = new LinkSession(opened.channel, {
        handlers: {
          incompatible: (message) => {
            clearTimeout(timer);
            reject(new Error(message));
          },
          open: (info) => {
            for (const line of describe(info, opened.path)) io.out(line);
            if (parsed.command === 'info') return finish(0);
            if (parsed.command === 'status') {
              session!.send({ name: 'GET_STATUS', seq: 0 });
              return;
            }
            frames.show(testPattern());
            frames.pump(session!, info.maxPacket);
          },
          progress: () => {
            const info = session?.info;
            if (info && parsed.command === 'test-pattern') frames.pump(session!, info.maxPacket);
          },
          status: (status) => {
            if (parsed.command === 'status') {
              for (const line of describeStatus(status)) io.out(line);
              return finish(0);
            }
            // A panel swaps at the end of a refresh: ask again until the new frame is up.
            if (!frames.matches(status)) {
              setTimeout(() => session?.send({ name: 'GET_STATUS', seq: 0 }), 100);
              return;
            }
            io.out(`test pattern shown: frame ${status.frameId}, CRC-32 ${crc32(testPattern()).toString(16).padStart(8, '0')} matches`);
            finish(0);
          },
          reject: (m) => {
            clearTimeout(timer);
            reject(new Error(`the device rejected packet ${m.rejectedSeq} (reason ${m.reason})`));
          },
        },
      });
      session.start();
    });
    return await conversation;
  } finally {
    session?.close();
    await opened.close();
  }
}
