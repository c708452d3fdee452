/**
 * Boots the qemu_microbit firmware image in qemu behind a pty, the way the bridge will see the
 * real board: qemu's UART on a TCP socket (nodelay, or replies stall on Nagle) and socat
 * turning that into a pty. Button presses go through qemu's qtest socket.
 * Missing system tools make this throw: the tests must fail, never skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRMWARE_ELF, qemuArgs, requireQemuTools } from '../../../../firmware/board/qemu_microbit/qemu-command';
import { exited, freePort, waitUntil } from '../ports';

const FIRMWARE_DIR = join(__dirname, '../../../../firmware');
export { FIRMWARE_ELF };
const GPIO_OUT = 0x50000504;

export function buildFirmware(): void {
  requireQemuTools('the firmware qemu test');
  execFileSync('make', ['-C', FIRMWARE_DIR, 'build/qemu_microbit/firmware.elf'], { stdio: 'pipe' });
}

export interface QemuFirmware {
  ptyPath: string;
  /** Presses (true) or releases micro:bit button A (P0.17) or B (P0.26). */
  setButton(button: 'A' | 'B', pressed: boolean): Promise<void>;
  /** The nRF51 GPIO OUT register: the status LEDs are columns P0.4 (LED 0) and P0.5, active low. */
  readGpioOut(): Promise<number>;
  stop(): Promise<void>;
}

export async function startQemuFirmware(): Promise<QemuFirmware> {
  requireQemuTools('the firmware qemu test');
  if (!existsSync(FIRMWARE_ELF)) throw new Error(`${FIRMWARE_ELF} missing: buildFirmware() first`);
  const dir = mkdtempSync(join(tmpdir(), 'megabit-qemu-'));
  const port = await freePort();
  const qtestPath = join(dir, 'qtest.sock');
  const ptyPath = join(dir, 'tty');
  let qemuLog = '';
  const qemu = spawn('qemu-system-arm', qemuArgs({ uartPort: port, qtestPath }), { stdio: ['ignore', 'pipe', 'pipe'] });
  qemu.stdout?.on('data', (d: Buffer) => (qemuLog += d.toString()));
  qemu.stderr?.on('data', (d: Buffer) => (qemuLog += d.toString()));
  const socats: ChildProcess[] = [];
  let qtest: Socket | undefined;

  const stop = async (): Promise<void> => {
    qtest?.destroy();
    for (const child of [...socats, qemu]) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all([...socats, qemu].map(exited));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntil(() => existsSync(qtestPath) || qemu.exitCode !== null, 'qemu to start', 10000);
    if (qemu.exitCode !== null) throw new Error(`qemu exited: ${qemuLog}`);
    const socat = spawn('socat', [`PTY,link=${ptyPath},raw,echo=0`, `TCP:127.0.0.1:${port},nodelay`], { stdio: 'ignore' });
    socats.push(socat);
    await waitUntil(() => existsSync(ptyPath) || socat.exitCode !== null, 'socat pty', 10000);
    if (socat.exitCode !== null) throw new Error('socat exited before creating the pty');
    const q = connect(qtestPath);
    qtest = q;
    await new Promise<void>((resolve, reject) => q.once('connect', resolve).once('error', reject));
  } catch (error) {
    await stop();
    throw error;
  }

  /* One command at a time: each answers a single line starting with OK. */
  let qtestQueue: Promise<unknown> = Promise.resolve();
  const qtestCommand = (line: string): Promise<string> => {
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        let answer = '';
        const onData = (d: Buffer): void => {
          answer += d.toString();
          if (!answer.includes('\n')) return;
          qtest!.off('data', onData);
          if (answer.startsWith('OK')) resolve(answer.trim());
          else reject(new Error(`qtest answered ${answer.trim()} to ${line}`));
        };
        qtest!.on('data', onData);
        qtest!.write(`${line}\n`);
      });
    const result = qtestQueue.then(run, run);
    qtestQueue = result;
    return result;
  };

  return {
    ptyPath,
    setButton: async (button, pressed) => {
      await qtestCommand(`set_irq_in /machine/nrf51 unnamed-gpio-in ${button === 'A' ? 17 : 26} ${pressed ? 0 : 1}`);
    },
    readGpioOut: async () => {
      const answer = await qtestCommand(`readl 0x${GPIO_OUT.toString(16)}`);
      return Number(BigInt(answer.split(' ')[1]) & 0xffffffffn);
    },
    stop,
  };
}
