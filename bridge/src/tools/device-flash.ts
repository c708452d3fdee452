/**
 * `megabit device flash FILE`: reflashes the Nano 33 BLE over its USB port, no double-tap.
 * The 1200-baud touch (open the port at 1200 bps, close it: the firmware resets into the Arduino
 * bootloader), wait for the bootloader's port, run `bossac` on it, wait for the Megabit port to
 * come back. Every step prints a line; each wait has a deadline and says what it waited for.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { SerialPort } from 'serialport';
import { AUTO_PATH, pickMegabitPort } from '../serial/port-opener';

/** What a port listing says about one port (SerialPort.list()'s fields that matter here). */
export interface PortEntry {
  path: string;
  manufacturer?: string;
  pnpId?: string;
  vendorId?: string;
}

export interface FlashIo {
  out: (line: string) => void;
  env: NodeJS.ProcessEnv;
  listPorts: () => Promise<PortEntry[]>;
  /** Opens the port at 1200 bps and closes it (DTR drops on close). */
  touch: (path: string) => Promise<void>;
  /** Runs the program, handing each output line (stdout and stderr) to `line`; resolves with its exit code. */
  run: (program: string, args: string[], line: (text: string) => void) => Promise<number>;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export interface FlashOptions {
  file: string;
  serial: string;
  /** How long each wait for a port may take. */
  waitMs: number;
}

/** The application region behind the Arduino bootloader: 0x10000 up to the end of the 1 MB flash. */
const MAX_IMAGE_BYTES = 0x100000 - 0x10000;
const POLL_MS = 100;
/** The Nano 33 BLE's bootloader enumerates with Arduino's USB vendor id. */
const ARDUINO_VID = /^2341$/i;
const ARDUINO_NAME = /arduino/i;

/** Where the Arduino mbed core installs its bossac: <data dir>/packages/arduino/tools/bossac/<version>/bossac. */
export function arduinoBossacDir(env: NodeJS.ProcessEnv): string {
  const data = env.ARDUINO_DIRECTORIES_DATA || join(env.HOME ?? '', '.arduino15');
  return join(data, 'packages', 'arduino', 'tools', 'bossac');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function versionKey(name: string): number[] {
  return name
    .split(/[^0-9]+/)
    .filter(Boolean)
    .map(Number);
}

function newerFirst(a: string, b: string): number {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
  return 0;
}

/** bossac on PATH, else the newest copy the Arduino core installed; a clear error naming both places. */
export function findBossac(env: NodeJS.ProcessEnv): string {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, 'bossac'))) return join(dir, 'bossac');
  }
  const coreDir = arduinoBossacDir(env);
  let versions: string[] = [];
  try {
    versions = readdirSync(coreDir).sort(newerFirst);
  } catch {
    // no Arduino core installed: reported below
  }
  for (const version of versions) {
    if (executable(join(coreDir, version, 'bossac'))) return join(coreDir, version, 'bossac');
  }
  throw new Error(
    `bossac not found: it is not on PATH and not in ${join(coreDir, '<version>', 'bossac')} (the Arduino mbed core's copy). ` +
      'Install it with "arduino-cli core install arduino:mbed_nano", or put a bossac on PATH.',
  );
}

function checkImage(file: string): number {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw new Error(`cannot read the firmware image ${file}`);
  }
  if (!file.endsWith('.bin')) throw new Error(`${file} is not a .bin image (bossac writes raw binaries: firmware/build/nano33ble/firmware.bin)`);
  if (size === 0 || size > MAX_IMAGE_BYTES) throw new Error(`${file} is ${size} bytes; an image for the Nano 33 BLE is 1 to ${MAX_IMAGE_BYTES} bytes`);
  return size;
}

function isMegabit(p: PortEntry): boolean {
  try {
    pickMegabitPort([p]);
    return true;
  } catch {
    return false;
  }
}

/** The bootloader's port: Arduino's vendor id or name, or failing that any port that was not there before the touch. */
function pickBootloader(ports: PortEntry[], before: Set<string>): string | undefined {
  const arduino = ports.find((p) => !isMegabit(p) && (ARDUINO_VID.test(p.vendorId ?? '') || ARDUINO_NAME.test(p.manufacturer ?? '')));
  return (arduino ?? ports.find((p) => !isMegabit(p) && !before.has(p.path)))?.path;
}

async function waitFor<T>(io: FlashIo, waitMs: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = io.now() + waitMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (io.now() >= deadline) throw new Error(`${what} did not appear within ${waitMs} ms`);
    await io.sleep(POLL_MS);
  }
}

export async function flashDevice(options: FlashOptions, io: FlashIo): Promise<number> {
  const size = checkImage(options.file);
  const bossac = findBossac(io.env);
  const ports = await io.listPorts();
  const port = options.serial === AUTO_PATH ? pickMegabitPort(ports) : options.serial;
  const before = new Set(ports.map((p) => p.path));

  io.out(`touching ${port} at 1200 baud: the firmware restarts into the bootloader`);
  try {
    await io.touch(port);
  } catch (e) {
    throw new Error(`cannot open ${port} (${e instanceof Error ? e.message : String(e)}): stop the bridge first, only one program can use the port`);
  }
  io.out("waiting for the bootloader's port...");
  const bootloader = await waitFor(io, options.waitMs, "the bootloader's serial port (is the Megabit firmware running on this port?)", async () =>
    pickBootloader(await io.listPorts(), before),
  );
  io.out(`bootloader on ${bootloader}`);

  // bossac takes the port's name without /dev/, as the Arduino core's upload recipe passes it.
  const args = ['-d', `--port=${basename(bootloader)}`, '-U', '-i', '-e', '-w', options.file, '-R'];
  io.out(`flashing ${options.file} (${size} bytes) with ${bossac}`);
  const code = await io.run(bossac, args, (line) => io.out(`  bossac: ${line}`));
  if (code !== 0) throw new Error(`bossac failed (exit code ${code}); the board stays in its bootloader, run the command again or double-tap reset`);

  io.out('waiting for the Megabit firmware to come back...');
  const back = await waitFor(io, options.waitMs, 'the Megabit firmware\'s port (USB name "Megabit")', async () => {
    const found = (await io.listPorts()).find(isMegabit);
    return found?.path;
  });
  io.out(`flashed: the Megabit firmware is back on ${back}`);
  return 0;
}

/** The real ports, programs and clock. */
export function systemFlashIo(out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): FlashIo {
  return {
    out,
    env,
    listPorts: () => SerialPort.list(),
    touch: async (path) => {
      const port = new SerialPort({ path, baudRate: 1200, hupcl: true, autoOpen: false });
      port.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
    run: (program, args, line) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        // bossac draws its progress bar with carriage returns: each one ends a line too.
        const splitter = (): ((chunk: Buffer) => void) => {
          let rest = '';
          return (chunk) => {
            const parts = (rest + chunk.toString('utf8')).split(/\r?\n|\r/);
            rest = parts.pop() ?? '';
            for (const text of parts) if (text.trim()) line(text.trim());
          };
        };
        child.stdout.on('data', splitter());
        child.stderr.on('data', splitter());
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? 1));
      }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
