/**
 * `megabit device flash FILE`: the 1200-baud touch on a real pty (whose other side resets only
 * if the port was set to 1200 bps and closed), the wait for the bootloader's port, a fake
 * bossac on PATH, the wait for the Megabit port to come back.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDeviceCommand } from '../../src/tools/device-command';
import { arduinoBossacDir, findBossac, systemFlashIo } from '../../src/tools/device-flash';
import { FlashBench } from '../helpers/serial/flash-bench';

async function flash(bench: FlashBench, argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const io = { ...systemFlashIo((l) => lines.push(l), bench.env()), listPorts: bench.listPorts };
  const code = await runDeviceCommand(['flash', ...argv], { out: (l) => lines.push(l), env: {}, flashIo: io });
  return { code, lines };
}

describe('megabit device flash', () => {
  let bench: FlashBench | undefined;
  afterEach(async () => {
    await bench?.dispose();
    bench = undefined;
  });

  it('touches the port at 1200 baud, runs bossac on the bootloader port, waits for the firmware', async () => {
    bench = new FlashBench();
    await bench.start();
    const { code, lines } = await flash(bench, [bench.image]);
    expect(code).toBe(0);
    expect(bench.touched).toBe(true);
    expect(bench.bossacCall()).toBe(`-d --port=ttyACM1 -U -i -e -w ${bench.image} -R`);
    expect(lines).toEqual([
      `touching ${bench.megabitPath} at 1200 baud: the firmware restarts into the bootloader`,
      "waiting for the bootloader's port...",
      `bootloader on ${bench.bootloaderPath}`,
      `flashing ${bench.image} (1234 bytes) with ${join(bench.binDir, 'bossac')}`,
      '  bossac: Erase flash',
      '  bossac: [====      ] 40% (4/10 pages)',
      '  bossac: [==========] 100% (10/10 pages)',
      '  bossac: Done in 0.5 seconds',
      'waiting for the Megabit firmware to come back...',
      `flashed: the Megabit firmware is back on ${bench.megabitPath}`,
    ]);
  });

  it('says so when the port does not reset into a bootloader', async () => {
    bench = new FlashBench({ touchResets: false });
    await bench.start();
    await expect(flash(bench, [bench.image, '--timeout', '500'])).rejects.toThrow(
      "the bootloader's serial port (is the Megabit firmware running on this port?) did not appear within 500 ms",
    );
    expect(bench.bossacCall()).toBeUndefined();
  });

  it('says so when bossac fails, and does not wait for the firmware', async () => {
    bench = new FlashBench({ bossacExit: 1 });
    await bench.start();
    await expect(flash(bench, [bench.image])).rejects.toThrow('bossac failed (exit code 1); the board stays in its bootloader');
  });

  it('finds bossac on PATH first, else the newest in the Arduino core, else names both places', () => {
    bench = new FlashBench();
    const home = bench.dir;
    const noPath = { PATH: join(home, 'nowhere'), HOME: home };
    expect(() => findBossac(noPath)).toThrow(
      `bossac not found: it is not on PATH and not in ${join(home, '.arduino15/packages/arduino/tools/bossac/<version>/bossac')} (the Arduino mbed core's copy)`,
    );
    for (const version of ['1.7.0-arduino3', '1.9.1-arduino2']) {
      mkdirSync(join(arduinoBossacDir(noPath), version), { recursive: true });
      writeFileSync(join(arduinoBossacDir(noPath), version, 'bossac'), '#!/bin/sh\n');
      chmodSync(join(arduinoBossacDir(noPath), version, 'bossac'), 0o755);
    }
    expect(findBossac(noPath)).toBe(join(home, '.arduino15/packages/arduino/tools/bossac/1.9.1-arduino2/bossac'));
    expect(() => findBossac({ ...noPath, ARDUINO_DIRECTORIES_DATA: join(home, 'elsewhere') })).toThrow(
      join(home, 'elsewhere/packages/arduino/tools/bossac/<version>/bossac'),
    );
    expect(findBossac({ ...noPath, PATH: bench.binDir })).toBe(join(bench.binDir, 'bossac'));
  });

  it('rejects a missing or wrong image before touching anything', async () => {
    bench = new FlashBench();
    await bench.start();
    await expect(flash(bench, [])).rejects.toThrow('flash needs the image to write');
    await expect(flash(bench, [join(bench.dir, 'nope.bin')])).rejects.toThrow(`cannot read the firmware image ${join(bench.dir, 'nope.bin')}`);
    const hex = join(bench.dir, 'firmware.hex');
    writeFileSync(hex, ':00000001FF\n');
    await expect(flash(bench, [hex])).rejects.toThrow('is not a .bin image');
    const empty = join(bench.dir, 'empty.bin');
    writeFileSync(empty, '');
    await expect(flash(bench, [empty])).rejects.toThrow('is 0 bytes; an image for the Nano 33 BLE is 1 to 983040 bytes');
    expect(bench.touched).toBe(false);
  });
});
