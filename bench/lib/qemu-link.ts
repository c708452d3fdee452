/**
 * The real firmware in qemu behind a pty, as the bridge sees the board: qemu's UART on a TCP
 * socket (nodelay), socat turning it into a pty at a fixed path. `attach({ tap })` (re)starts
 * socat; with a tap, the bytes go through a byte proxy in this process that hands every chunk,
 * both ways, to the tap with its arrival time before passing it on unchanged.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRMWARE_DIR } from './paths';
import { freePort, start, type Started, stop, waitFor } from './processes';

// The firmware's own qemu helper (shared with the bridge's qemu tests), loaded from the
// repository at run time: the compiled bench does not sit where the source does.
const { qemuArgs, requireQemuTools } = require(
  join(FIRMWARE_DIR, 'board', 'qemu_microbit', 'qemu-command'),
) as typeof import('../../firmware/board/qemu_microbit/qemu-command');

/** Sees every chunk on the line, with its arrival time (performance.now()). */
export interface LineTap {
  toDevice(chunk: Buffer, t: number): void;
  toHost(chunk: Buffer, t: number): void;
}

export interface QemuLink {
  ptyPath: string;
  /** Points the pty at qemu, straight or through a tap. */
  attach(options?: { tap?: LineTap }): Promise<void>;
  dispose(): Promise<void>;
}

/** Builds the qemu image if needed (make is a no-op when it is up to date) and boots it. */
export async function startQemuLink(): Promise<QemuLink> {
  requireQemuTools('the serial link bench');
  execFileSync('make', ['-s', '-C', FIRMWARE_DIR, 'build/qemu_microbit/firmware.elf'], { stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'megabit-bench-qemu-'));
  const ptyPath = join(dir, 'ttyMEGABIT');
  const qmpPath = join(dir, 'qmp.sock');
  const uartPort = await freePort();
  let qemu: Started | undefined;
  let socat: Started | undefined;
  let proxy: Server | undefined;
  const sockets = new Set<Socket>();

  const closeProxy = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    proxy?.close();
    proxy = undefined;
  };
  const detach = async (): Promise<void> => {
    if (socat) await stop(socat.child);
    socat = undefined;
    closeProxy();
    await waitFor(() => !existsSync(ptyPath), 'the old pty going away', 5000);
  };

  async function startProxy(tap: LineTap): Promise<number> {
    const port = await freePort();
    const server = createServer((host) => {
      const device = connect(uartPort, '127.0.0.1');
      host.setNoDelay(true);
      device.setNoDelay(true);
      sockets.add(host).add(device);
      host.on('data', (chunk) => {
        tap.toDevice(chunk, performance.now());
        device.write(chunk);
      });
      device.on('data', (chunk) => {
        tap.toHost(chunk, performance.now());
        host.write(chunk);
      });
      const end = (): void => {
        host.destroy();
        device.destroy();
      };
      host.on('close', end).on('error', end);
      device.on('close', end).on('error', end);
    });
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
    proxy = server;
    return port;
  }

  const link: QemuLink = {
    ptyPath,
    async attach({ tap } = {}) {
      await detach();
      const target = tap ? await startProxy(tap) : uartPort;
      const started = start('socat', [`PTY,link=${ptyPath},raw,echo=0`, `TCP:127.0.0.1:${target},nodelay`]);
      socat = started;
      await waitFor(() => existsSync(ptyPath) || started.child.exitCode !== null, 'socat creating the pty', 10_000);
      if (started.child.exitCode !== null) throw new Error(`socat exited: ${started.output()}`);
    },
    async dispose() {
      if (socat) await stop(socat.child);
      closeProxy();
      if (qemu) await stop(qemu.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // The QMP socket is only a sign of life: it appears once qemu has set up its chardevs.
    const started = start('qemu-system-arm', qemuArgs({ uartPort, qmpPath }));
    qemu = started;
    await waitFor(() => existsSync(qmpPath) || started.child.exitCode !== null, 'qemu starting', 10_000);
    if (started.child.exitCode !== null) throw new Error(`qemu exited: ${started.output()}`);
  } catch (e) {
    await link.dispose();
    throw e;
  }
  return link;
}
