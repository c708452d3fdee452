/**
 * The real firmware in qemu as the bridge's display hardware, at a fixed pty path that survives
 * the device going away: qemu's UART on a TCP socket, optionally through a TypeScript proxy
 * that drops and flips bytes, and socat turning it into the pty. `crash()` kills qemu with
 * SIGKILL (socat then ends and the pty disappears, like an unplugged USB device); `boot()`
 * starts a fresh qemu and socat at the same path. Missing tools make this throw, never skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, watch } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuArgs, requireQemuTools } from '../../../../firmware/board/qemu_microbit/qemu-command';
import { buildFirmware, FIRMWARE_ELF } from './qemu-firmware';
import { delay, exited, freePort, waitUntil } from '../ports';
import { seededRandom } from '../seeded-random';

export { buildFirmware };

/** The nRF51 GPIO OUT register: the status LEDs are columns P0.4 (LED 0) and P0.5, active low. */
const GPIO_OUT = 0x50000504;
const LED_LINK_PIN = 4;
const LED_RED_PIN = 5;

/** MB_DEBOUNCE_MS in firmware/core/button.h. */
const FIRMWARE_DEBOUNCE_MS = 20;

const symbols = new Map<string, number>();
/** Where the image keeps a symbol (its address as `arm-none-eabi-nm` prints it: no Thumb bit). */
export function firmwareSymbol(name: string): number {
  let address = symbols.get(name);
  if (address === undefined) {
    const table = execFileSync('arm-none-eabi-nm', [FIRMWARE_ELF], { encoding: 'utf8' });
    const match = new RegExp(`^([0-9a-f]+) \\w ${name}$`, 'm').exec(table);
    if (!match) throw new Error(`${name} is not in ${FIRMWARE_ELF}`);
    address = Number.parseInt(match[1], 16);
    symbols.set(name, address);
  }
  return address;
}

/** `qemu_buttons_seen` (board.c): the firmware's debounced button levels. */
function buttonsSeenAddress(): number {
  return firmwareSymbol('qemu_buttons_seen');
}

/** QEMU_FAULT_REQUEST in board.c: written to `qemu_fault_request`, it makes the firmware fault. */
const QEMU_FAULT_REQUEST = 0xfa017ed;

/** Changes bytes on their way through the proxy, in one direction; returns what passes on. */
export type ByteMangler = (chunk: Buffer, direction: 'toDevice' | 'toHost') => Buffer;

/**
 * Drops a fraction `drop` of the bytes and flips one bit in a fraction `flip` of them; counts
 * the bytes it saw (`bytes`) and what it did to them. The faults are independent from byte to
 * byte, as on a real line: each direction draws from its own xorshift32 stream (seeded-random),
 * so the pattern one direction gets does not depend on how the other's traffic interleaves.
 */
export function noisyLine(drop: number, flip: number, seed = 1): NoisyLine {
  const streams = new Map<'toDevice' | 'toHost', () => number>();
  const mangle = ((chunk: Buffer, direction: 'toDevice' | 'toHost'): Buffer => {
    let random = streams.get(direction);
    if (!random) {
      random = seededRandom(direction === 'toDevice' ? seed : seed ^ 0x5a5a5a5a);
      streams.set(direction, random);
    }
    const out: number[] = [];
    for (const byte of chunk) {
      mangle.bytes++;
      const p = random();
      if (p < drop) {
        mangle.dropped++;
        continue;
      }
      if (p < drop + flip) {
        mangle.flipped++;
        out.push(byte ^ (1 << Math.floor(random() * 8)));
      } else {
        out.push(byte);
      }
    }
    return Buffer.from(out);
  }) as NoisyLine;
  mangle.seed = seed;
  mangle.bytes = 0;
  mangle.dropped = 0;
  mangle.flipped = 0;
  return mangle;
}

export type NoisyLine = ByteMangler & { seed: number; bytes: number; dropped: number; flipped: number };

export class QemuDisplay {
  readonly ptyPath: string;
  private qemu?: ChildProcess;
  private socat?: ChildProcess;
  private qtest?: Socket;
  private qmpPath?: string;
  private proxy?: Server;
  private readonly proxySockets = new Set<Socket>();
  private log = '';
  private qtestQueue: Promise<unknown> = Promise.resolve();
  /** When the pty of the last boot appeared: the moment the device is back for the bridge. */
  ptyAppearedAt = 0;

  private constructor(
    private readonly dir: string,
    private readonly mangle?: ByteMangler,
  ) {
    this.ptyPath = join(dir, 'ttyMEGABIT');
  }

  /** Builds nothing: call buildFirmware() first. */
  static async start(options: { mangle?: ByteMangler } = {}): Promise<QemuDisplay> {
    requireQemuTools('this test');
    if (!existsSync(FIRMWARE_ELF)) throw new Error(`${FIRMWARE_ELF} missing: buildFirmware() first`);
    const display = new QemuDisplay(mkdtempSync(join(tmpdir(), 'megabit-qemu-display-')), options.mangle);
    try {
      await display.boot();
    } catch (e) {
      await display.dispose();
      throw e;
    }
    return display;
  }

  get running(): boolean {
    return this.qemu !== undefined && this.qemu.exitCode === null && this.qemu.signalCode === null;
  }

  /** Starts qemu (and the proxy and socat) at the same pty path. */
  async boot(): Promise<void> {
    const uartPort = await freePort();
    const qtestPath = join(this.dir, `qtest-${Date.now()}.sock`);
    const qmpPath = join(this.dir, `qmp-${Date.now()}.sock`);
    this.qmpPath = qmpPath;
    this.log = '';
    const qemu = spawn('qemu-system-arm', qemuArgs({ uartPort, qtestPath, qmpPath }), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.qemu = qemu;
    qemu.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    qemu.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    await waitUntil(() => existsSync(qtestPath) || qemu.exitCode !== null, 'qemu to start', 10000);
    if (qemu.exitCode !== null) throw new Error(`qemu exited: ${this.log}`);
    this.qtest = await connectWhenListening(qtestPath);
    this.qtestQueue = Promise.resolve();

    let target = uartPort;
    if (this.mangle) target = await this.startProxy(uartPort, this.mangle);
    this.ptyAppearedAt = 0;
    const name = this.ptyPath.slice(this.dir.length + 1);
    const watcher = watch(this.dir, (_event, file) => {
      if (file?.toString() === name && !this.ptyAppearedAt && existsSync(this.ptyPath)) this.ptyAppearedAt = Date.now();
    });
    const socat = spawn('socat', [`PTY,link=${this.ptyPath},raw,echo=0`, `TCP:127.0.0.1:${target},nodelay`], { stdio: 'ignore' });
    this.socat = socat;
    try {
      await waitUntil(() => existsSync(this.ptyPath) || socat.exitCode !== null, 'the socat pty', 10000);
    } finally {
      watcher.close();
    }
    if (socat.exitCode !== null) throw new Error('socat exited before creating the pty');
    this.ptyAppearedAt ||= Date.now();
  }

  /** kill -9 of qemu: the device vanishes mid-whatever; socat ends and the pty goes. */
  async crash(): Promise<void> {
    const { qemu, socat } = this;
    this.qtest?.destroy();
    if (qemu) {
      qemu.kill('SIGKILL');
      await exited(qemu);
    }
    this.stopProxy();
    if (socat) {
      await Promise.race([exited(socat), new Promise((r) => setTimeout(r, 3000))]);
      if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
      await exited(socat);
    }
    await waitUntil(() => !existsSync(this.ptyPath), 'the pty to disappear', 5000);
  }

  /** Resets the emulated board (like its reset button): the firmware boots again, the pty stays. */
  async reset(): Promise<void> {
    const path = this.qmpPath;
    if (!path || !this.running) throw new Error('qemu is not running');
    const qmp = connect(path);
    let received = '';
    qmp.on('data', (d: Buffer) => (received += d.toString()));
    const answered = async (what: string, count: number): Promise<void> => {
      await waitUntil(() => received.includes('"error"') || received.split('"return"').length - 1 >= count, what, 5000);
      if (received.includes('"error"')) throw new Error(`qmp refused ${what}: ${received}`);
    };
    try {
      await new Promise<void>((resolve, reject) => qmp.once('connect', resolve).once('error', reject));
      await waitUntil(() => received.includes('"QMP"'), 'the qmp greeting', 5000);
      qmp.write('{"execute":"qmp_capabilities"}\n');
      await answered('qmp_capabilities', 1);
      qmp.write('{"execute":"system_reset"}\n');
      await answered('system_reset', 2);
    } finally {
      qmp.destroy();
    }
  }

  /** Presses (true) or releases micro:bit button A, the display's main button. */
  async setButton(pressed: boolean): Promise<void> {
    await this.qtestCommand(`set_irq_in /machine/nrf51 unnamed-gpio-in 17 ${pressed ? 0 : 1}`);
  }

  /**
   * Makes the firmware fault, through the debug channel (qtest writes its RAM): its main loop
   * then runs an undefined instruction in `qemu_fault_now`; the HardFault handler records it and
   * resets the board, and the next boot reports it after HELLO_REPLY.
   */
  async injectFault(): Promise<void> {
    await this.qtestCommand(`writel 0x${firmwareSymbol('qemu_fault_request').toString(16)} 0x${QEMU_FAULT_REQUEST.toString(16)}`);
  }

  /** The board's status LEDs as its GPIO pins drive them: LED 0 (link) and LED 1 (red). */
  async statusLeds(): Promise<{ link: boolean; red: boolean }> {
    const out = await this.readWord(GPIO_OUT);
    return { link: (out & (1 << LED_LINK_PIN)) === 0, red: (out & (1 << LED_RED_PIN)) === 0 };
  }

  /** One qtest command at a time; each is answered by a line starting with OK. */
  private qtestCommand(line: string): Promise<string> {
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const q = this.qtest;
        if (!q) return reject(new Error('qemu is not running'));
        let answer = '';
        const onData = (d: Buffer): void => {
          answer += d.toString();
          if (!answer.includes('\n')) return;
          q.off('data', onData);
          if (answer.startsWith('OK')) resolve(answer.trim());
          else reject(new Error(`qtest answered ${answer.trim()} to ${line}`));
        };
        q.on('data', onData);
        q.write(`${line}\n`);
      });
    const result = this.qtestQueue.then(run, run);
    this.qtestQueue = result;
    return result;
  }

  /**
   * Holds the button for about `ms` as the firmware measures it: from when the firmware has taken
   * the press (debounced) until it has taken the release. Timed on this machine's clock alone, a
   * hold was luck on a loaded one: qemu takes the pin change at once, but its vCPU may not run for
   * tens of ms, and an 80 ms press could come and go between two samples of the firmware.
   */
  async hold(ms: number): Promise<void> {
    await this.press(true);
    // The firmware dates the edge from its first sample of the new level, a debounce time before it
    // takes it: that part of the hold has already passed.
    await delay(Math.max(0, ms - FIRMWARE_DEBOUNCE_MS));
    await this.press(false);
  }

  /** Presses or releases the button and waits until the firmware has taken the new level. */
  async press(pressed: boolean): Promise<void> {
    await this.setButton(pressed);
    await waitUntil(
      async () => ((await this.readWord(buttonsSeenAddress())) & 1) === (pressed ? 1 : 0),
      `the firmware to see the button ${pressed ? 'down' : 'up'}`,
      10_000,
      2,
    );
  }

  private async readWord(address: number): Promise<number> {
    const answer = await this.qtestCommand(`readl 0x${address.toString(16)}`);
    return Number(BigInt(answer.split(' ')[1]) & 0xffffffffn);
  }

  async dispose(): Promise<void> {
    this.qtest?.destroy();
    this.stopProxy();
    for (const child of [this.socat, this.qemu]) {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      if (child) await exited(child);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async startProxy(uartPort: number, mangle: ByteMangler): Promise<number> {
    const port = await freePort();
    const server = createServer((client) => {
      const device = connect(uartPort, '127.0.0.1');
      client.setNoDelay(true);
      device.setNoDelay(true);
      this.proxySockets.add(client).add(device);
      // A real line holds the sender back when the receiver is behind (USB NAKs, qemu stops
      // reading its UART's socket); a proxy that reads on regardless would hide that from the
      // bridge and let it queue without bound: each side reads only while the other drains.
      const forward = (from: Socket, to: Socket, direction: 'toDevice' | 'toHost'): void => {
        from.on('data', (d: Buffer) => {
          if (!to.write(mangle(d, direction))) {
            from.pause();
            to.once('drain', () => from.resume());
          }
        });
      };
      forward(client, device, 'toDevice');
      forward(device, client, 'toHost');
      const end = (): void => {
        client.destroy();
        device.destroy();
      };
      client.on('close', end).on('error', end);
      device.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.proxy = server;
    return port;
  }

  private stopProxy(): void {
    for (const socket of this.proxySockets) socket.destroy();
    this.proxySockets.clear();
    this.proxy?.close();
    this.proxy = undefined;
  }
}

/**
 * Connects to a Unix socket qemu is opening: its file appears at bind(), a moment before
 * listen(), and a connect in between is refused. Retries that for up to 2 s.
 */
async function connectWhenListening(path: string): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    const socket = connect(path);
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      return socket;
    } catch (e) {
      socket.destroy();
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || attempt >= 100) throw e;
      await delay(20);
    }
  }
}
