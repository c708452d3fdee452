'use strict';
/**
 * How the qemu_microbit image is booted: one place for the machine options, shared by the
 * end-to-end tests and the benchmarks. The nRF51 of qemu's micro:bit is given the flash and RAM
 * the image is linked for (larger than the real chip's); the UART is a TCP server with Nagle off,
 * which socat or the test turns into a pty.
 */
const { join } = require('node:path');

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

module.exports = { FIRMWARE_ELF, qemuArgs };
