/** `megabit device info|status|test-pattern` against the TypeScript protocol peer. */
import { crc32 } from '../../src/serial/protocol';
import { runDeviceCommand, testPattern } from '../../src/tools/device-command';
import { FakeCable } from '../helpers/serial/link-test-kit';

async function run(argv: string[], cable = new FakeCable()): Promise<{ code: number; lines: string[]; cable: FakeCable }> {
  const lines: string[] = [];
  try {
    const code = await runDeviceCommand(argv, { out: (l) => lines.push(l), openChannel: cable.open, env: {} });
    return { code, lines, cable };
  } finally {
    cable.close();
  }
}

describe('megabit device', () => {
  it('info: prints what the device says about itself', async () => {
    const { code, lines } = await run(['info', '--serial', '/dev/ttyFAKE1']);
    expect(code).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining(['port:      /dev/ttyFAKE1', 'board:     ts-peer', 'firmware:  9.8.7', 'protocol:  1.0', 'panel:     64x32, 8 bits per colour']),
    );
  });

  it('status: prints the frame shown and every counter', async () => {
    const { code, lines } = await run(['status', '--serial=/dev/ttyFAKE1']);
    expect(code).toBe(0);
    expect(lines).toContain('refresh:    0 Hz (no panel on this board)');
    expect(lines.some((l) => /^frame: +0 \(CRC-32 [0-9a-f]{8}\)$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^ {2}\w+ +\d+$/.test(l))).toHaveLength(12);
  });

  it('test-pattern: shows the pattern and checks the device got it exactly', async () => {
    const cable = new FakeCable();
    const lines: string[] = [];
    const code = await runDeviceCommand(['test-pattern', '--serial', '/dev/ttyFAKE1'], { out: (l) => lines.push(l), openChannel: cable.open, env: {} });
    expect(code).toBe(0);
    expect(cable.device!.committedFrame).toEqual(testPattern());
    expect(lines[lines.length - 1]).toBe(`test pattern shown: frame 1, CRC-32 ${crc32(testPattern()).toString(16).padStart(8, '0')} matches`);
    cable.close();
  });

  it('fails clearly when nothing answers', async () => {
    const deaf = new FakeCable({}, (host) => (host.filter = () => new Uint8Array()));
    const silent = run(['info', '--serial', '/dev/ttyFAKE1', '--timeout', '300'], deaf);
    await expect(silent).rejects.toThrow('no answer from a Megabit device on /dev/ttyFAKE1 within 300 ms: is the firmware flashed, and is this its port?');
  });

  it('fails clearly on an incompatible device', async () => {
    await expect(run(['info'], new FakeCable({ major: 2 }))).rejects.toThrow('device speaks protocol 2.0, host speaks 1.3');
  });

  it('rejects bad arguments and prints help without a command', async () => {
    await expect(run(['info', '--bogus'])).rejects.toThrow('unknown argument "--bogus"');
    await expect(run(['info', '--timeout', 'soon'])).rejects.toThrow('--timeout must be a whole number');
    await expect(run(['info', '--serial'])).rejects.toThrow('--serial needs a value');
    const help = await run([]);
    expect(help.code).toBe(0);
    expect(help.lines.join('\n')).toMatch(/megabit device test-pattern/);
  });
});
