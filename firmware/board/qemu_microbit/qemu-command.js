'use strict';
/**
 * How the qemu_microbit image is booted: one place for the machine options, shared by the
 * end-to-end tests and the benchmarks. The nRF51 of qemu's micro:bit is given the flash and RAM
 * the image is linked for (larger than the real chip's); the UART is a TCP server with Nagle off,
 * which socat or the test turns into a pty.
 */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

/** What building and booting the image behind a pty needs: command → Debian packages. */
const REQUIRED_TOOLS = {
  'qemu-system-arm': 'qemu-system-arm',
  socat: 'socat',
  make: 'make',
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi libnewlib-arm-none-eabi',
};

/** Throws, naming the apt-get command, when a tool is missing: callers fail loudly, never skip. */
function requireQemuTools(who) {
  const missing = Object.keys(REQUIRED_TOOLS).filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(`${who} needs ${missing.join(', ')}: apt-get install -y ${missing.map((tool) => REQUIRED_TOOLS[tool]).join(' ')}`);
  }
}

const FIRMWARE_ELF = join(__dirname, '..', '..', 'build', 'qemu_microbit', 'firmware.elf');

/**
 * @param {{ uartPort: number, qtestPath?: string, qmpPath?: string }} options
 * @returns {string[]} the arguments for qemu-system-arm
 */
function qemuArgs({ uartPort, qtestPath, qmpPath }) {
  const args = [
    '-M', 'microbit',
    '-global', 'nrf51-soc.flash-size=1048576',
    '-global', 'nrf51-soc.sram-size=262144',
    '-nographic', '-monitor', 'none',
    '-kernel', FIRMWARE_ELF,
    '-chardev', `socket,id=s0,host=127.0.0.1,port=${uartPort},server=on,wait=off,nodelay=on`,
    '-serial', 'chardev:s0',
  ];
  if (qtestPath) args.push('-qtest', `unix:${qtestPath},server=on,wait=off`, '-qtest-log', 'none');
  if (qmpPath) args.push('-qmp', `unix:${qmpPath},server=on,wait=off`);
  return args;
}

module.exports = { FIRMWARE_ELF, qemuArgs, requireQemuTools };
