'use strict';
/**
 * The real firmware in qemu behind a pty, as the bridge sees the board: qemu's UART on a TCP
 * socket (nodelay), socat turning it into a pty at a fixed path. `attach({ tap })` (re)starts
 * socat; with a tap, the bytes go through a byte proxy in this process that hands every chunk,
 * both ways, to the tap with its arrival time before passing it on unchanged.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync } = require('node:fs');
const { connect, createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { freePort, start, stop, waitFor } = require('./processes');

const FIRMWARE_DIR = resolve(__dirname, '..', '..', 'firmware');
const { FIRMWARE_ELF, qemuArgs, requireQemuTools } = require('../../firmware/board/qemu_microbit/qemu-command');

/** Builds the qemu image if needed (make is a no-op when it is up to date) and boots it. */
async function startQemuLink() {
  requireQemuTools('the serial link bench');
  execFileSync('make', ['-s', '-C', FIRMWARE_DIR, 'build/qemu_microbit/firmware.elf'], { stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'megabit-bench-qemu-'));
  const ptyPath = join(dir, 'ttyMEGABIT');
  const qmpPath = join(dir, 'qmp.sock');
  const uartPort = await freePort();
  let qemu;
  let socat;
  let proxy;
  const sockets = new Set();

  const closeProxy = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    proxy?.close();
    proxy = undefined;
  };
  const detach = async () => {
    if (socat) await stop(socat.child);
    socat = undefined;
    closeProxy();
    await waitFor(() => !existsSync(ptyPath), 'the old pty going away', 5000);
  };

  async function startProxy(tap) {
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
      const end = () => {
        host.destroy();
        device.destroy();
      };
      host.on('close', end).on('error', end);
      device.on('close', end).on('error', end);
    });
    await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
    proxy = server;
    return port;
  }

  const link = {
    ptyPath,
    /** Points the pty at qemu, straight or through a tap ({ toDevice(chunk, t), toHost(chunk, t) }). */
    async attach({ tap } = {}) {
      await detach();
      const target = tap ? await startProxy(tap) : uartPort;
      socat = start('socat', [`PTY,link=${ptyPath},raw,echo=0`, `TCP:127.0.0.1:${target},nodelay`]);
      await waitFor(() => existsSync(ptyPath) || socat.child.exitCode !== null, 'socat creating the pty', 10_000);
      if (socat.child.exitCode !== null) throw new Error(`socat exited: ${socat.output()}`);
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
    qemu = start('qemu-system-arm', qemuArgs({ uartPort, qmpPath }));
    await waitFor(() => existsSync(qmpPath) || qemu.child.exitCode !== null, 'qemu starting', 10_000);
    if (qemu.child.exitCode !== null) throw new Error(`qemu exited: ${qemu.output()}`);
  } catch (e) {
    await link.dispose();
    throw e;
  }
  return link;
}

module.exports = { startQemuLink };
