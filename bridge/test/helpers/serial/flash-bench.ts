/**
 * The world `megabit device flash` meets, as far as this machine has it: real ptys standing in
 * for the board's USB serial ports (pty-board.py: the Megabit port resets when it sees the
 * 1200-baud touch), a fake `bossac` script on PATH that records its arguments and prints
 * bossac-like progress, and a port listing that describes the ptys as USB would (the one
 * double: there is no USB here). After bossac runs, the Megabit port comes back, as the board
 * restarts into the new firmware.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { PortEntry } from '../../../src/tools/device-flash';
import { exited, waitUntil } from '../ports';

const PTY_BOARD = join(__dirname, 'pty-board.py');

export interface FlashBenchOptions {
  /** false: the Megabit port ignores the touch (firmware without it, or another program). */
  touchResets?: boolean;
  bossacExit?: number;
}

export class FlashBench {
  readonly dir = mkdtempSync(join(tmpdir(), 'megabit-flash-'));
  readonly megabitPath = join(this.dir, 'ttyACM0');
  readonly bootloaderPath = join(this.dir, 'ttyACM1');
  readonly image = join(this.dir, 'firmware.bin');
  readonly bossacArgs = join(this.dir, 'bossac-args');
  readonly binDir = join(this.dir, 'bin');
  touched = false;
  private readonly boards = new Set<ChildProcess>();
  private bootloader?: ChildProcess;
  /**
   * The bootloader's board, started from a pty event rather than by a caller: kept so dispose()
   * waits for it. Left alone, a start still waiting when the test ended failed seconds later,
   * as an unhandled rejection in whichever test file the jest worker ran next.
   */
  private bootloaderStart?: Promise<void>;
  private flashed = false;

  constructor(private readonly options: FlashBenchOptions = {}) {
    writeFileSync(this.image, Buffer.alloc(1234, 0x5a));
    mkdirSync(this.binDir);
    const bossac = join(this.binDir, 'bossac');
    writeFileSync(
      bossac,
      [
        '#!/bin/sh',
        `echo "$@" > '${this.bossacArgs}'`,
        'echo "Erase flash"',
        'printf "[====      ] 40%% (4/10 pages)\\r[==========] 100%% (10/10 pages)\\n"',
        'echo "Done in 0.5 seconds"',
        `exit ${options.bossacExit ?? 0}`,
        '',
      ].join('\n'),
    );
    chmodSync(bossac, 0o755);
  }

  /** PATH with the fake bossac first. */
  env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${this.binDir}${delimiter}${process.env.PATH ?? ''}`, HOME: this.dir };
  }

  async start(): Promise<void> {
    await this.board(this.megabitPath, this.options.touchResets === false ? 'plain' : 'megabit');
  }

  /** What SerialPort.list() would say: the ptys that exist, named as their USB devices are. */
  readonly listPorts = async (): Promise<PortEntry[]> => {
    if (!this.flashed && existsSync(this.bossacArgs) && (this.options.bossacExit ?? 0) === 0) {
      this.flashed = true; // bossac's -R: the board restarts into the new firmware
      this.bootloader?.kill('SIGTERM');
      await this.board(this.megabitPath, 'plain');
    }
    const ports: PortEntry[] = [];
    if (existsSync(this.megabitPath)) ports.push({ path: this.megabitPath, manufacturer: 'Megabit', vendorId: '1209', pnpId: 'usb-Megabit_Megabit_0123-if00' });
    if (existsSync(this.bootloaderPath)) ports.push({ path: this.bootloaderPath, manufacturer: 'Arduino', vendorId: '2341' });
    return ports;
  };

  private async board(link: string, mode: 'megabit' | 'plain'): Promise<ChildProcess> {
    const child = spawn('python3', [PTY_BOARD, link, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.boards.add(child);
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes('ready')) ready = true;
      if (text.includes('touched')) {
        this.touched = true;
        // The bootloader enumerates as its own port.
        this.bootloaderStart = this.board(this.bootloaderPath, 'plain').then(
          (b) => {
            this.bootloader = b;
          },
          // The test sees a missing bootloader port through listPorts(); the error adds nothing.
          () => undefined,
        );
      }
    });
    await waitUntil(() => ready && existsSync(link), `the pty at ${link}`);
    return child;
  }

  bossacCall(): string | undefined {
    return existsSync(this.bossacArgs) ? readFileSync(this.bossacArgs, 'utf8').trim() : undefined;
  }

  async dispose(): Promise<void> {
    await this.bootloaderStart;
    for (const child of this.boards) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
