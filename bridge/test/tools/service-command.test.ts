/**
 * `megabit service install/remove` through the real CLI, writing into a temporary unit folder
 * (--unit-dir). Each unit it writes must pass Debian's `systemd-analyze verify` with no warning
 * at all: verify exits 0 on an unknown key or a bad value and only prints them, so its output
 * is checked too. No systemd runs in a container, so the command must say what to run instead.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { GLIBC_TUNABLES } from '../../src/tools/malloc-tunables';
import { BRIDGE_CLI } from '../helpers/bridge-process';
import { run, type ToolResult } from '../helpers/run-tool';

jest.setTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), 'megabit-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const me = userInfo().username;

/** The real CLI; `env` entries are set for it (e.g. a HOME of its own). */
const megabit = (args: string[], env: Record<string, string> = {}): Promise<ToolResult> =>
  run('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, BRIDGE_CLI, ...args]);

/** systemd-analyze verify on one unit file; a user unit needs a runtime dir to look in. */
async function verify(file: string, user: boolean): Promise<ToolResult> {
  const runtime = mkdtempSync(join(dir, 'runtime-'));
  const args = ['verify', '--man=no', ...(user ? ['--user'] : []), file];
  return run('env', [`XDG_RUNTIME_DIR=${runtime}`, 'systemd-analyze', ...args]);
}

/** `Key=value` lines of a unit, every value of a repeated key. */
function unitValues(text: string, key: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

describe('a system service', () => {
  const units = join(dir, 'system');
  // A data dir whose name needs quoting in a unit file; it does not exist yet.
  const dataDir = join(dir, 'home of pi', 'megabit data');
  const config = join(dir, 'megabit.yaml');
  let unitFile: string;
  let unit: string;
  let install: ToolResult;

  beforeAll(async () => {
    writeFileSync(config, `data_dir: ${JSON.stringify(dataDir)}\ndevice_id: kitchen\n`);
    install = await megabit(['service', 'install', '--run-as', me, '--config', config, '--unit-dir', units]);
    unitFile = join(units, 'megabit.service');
    unit = existsSync(unitFile) ? readFileSync(unitFile, 'utf8') : '';
  });

  it('writes a unit that systemd-analyze verify accepts without a word', async () => {
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    const result = await verify(unitFile, false);
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  });

  it('runs this bridge with this Node as the given user, in group dialout, after the network', () => {
    expect(unitValues(unit, 'ExecStart')).toEqual([`"${process.execPath}" "${BRIDGE_CLI}" "--config" "${config}"`]);
    expect(unitValues(unit, 'User')).toEqual([me]);
    expect(unitValues(unit, 'SupplementaryGroups')).toEqual(['dialout']);
    expect(unitValues(unit, 'Restart')).toEqual(['on-failure']);
    expect(unitValues(unit, 'After')).toContain('network-online.target');
    expect(unitValues(unit, 'WantedBy')).toEqual(['multi-user.target']);
  });

  it("gives the bridge glibc's malloc settings, which only the environment of its start can set", () => {
    expect(GLIBC_TUNABLES).toMatch(/^glibc\.malloc\.mmap_threshold=\d+$/);
    expect(unitValues(unit, 'Environment')).toContain(`"GLIBC_TUNABLES=${GLIBC_TUNABLES}"`);
  });

  it('may write only its data dir, and open only USB serial ports among the devices', () => {
    expect(unitValues(unit, 'ProtectSystem')).toEqual(['strict']);
    expect(unitValues(unit, 'ProtectHome')).toEqual(['read-only']);
    expect(unitValues(unit, 'ReadWritePaths')).toEqual([`"${dataDir}"`]);
    expect(unitValues(unit, 'CacheDirectory')).toEqual(['megabit']);
    expect(unitValues(unit, 'DevicePolicy')).toEqual(['closed']);
    expect(unitValues(unit, 'DeviceAllow')).toEqual(['char-ttyACM rw']);
    // The ttyACM group exists in /proc/devices only once cdc_acm is loaded: it is loaded first.
    expect(unitValues(unit, 'After')).toContain('modprobe@cdc_acm.service');
    expect(unitValues(unit, 'NoNewPrivileges')).toEqual(['yes']);
  });

  it('says in the unit why its lines are there', () => {
    expect(unit).toContain('# The serial port (/dev/ttyACM0) belongs to group dialout.\nSupplementaryGroups=dialout\n');
    expect(unit).toMatch(/# DeviceAllow=char-ttyACM below is looked up in \/proc\/devices[^[]*\nWants=modprobe@cdc_acm.service\n/);
    expect(unit).toContain('# No MemoryDenyWriteExecute=: V8 and the Wasm sandbox compile code');
  });

  it('makes the data dir, private, since the service could not', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(install.stdout).toContain(`made the data dir ${dataDir}`);
  });

  it('says what to run where systemd runs, and how to follow the log', () => {
    expect(install.stdout).toContain('sudo systemctl daemon-reload');
    expect(install.stdout).toContain('sudo systemctl enable --now megabit.service');
    expect(install.stdout).toContain('journalctl -u megabit -f');
  });

  it('remove deletes the unit and the link that enabled it, and keeps the data dir', async () => {
    const wants = join(units, 'multi-user.target.wants');
    mkdirSync(wants, { recursive: true });
    symlinkSync(unitFile, join(wants, 'megabit.service'));
    const removed = await megabit(['service', 'remove', '--unit-dir', units]);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(existsSync(unitFile)).toBe(false);
    expect(existsSync(join(wants, 'megabit.service'))).toBe(false);
    expect(existsSync(dataDir)).toBe(true);
    expect(removed.stdout).toContain('sudo systemctl daemon-reload');
    const again = await megabit(['service', 'remove', '--unit-dir', units]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('nothing to remove');
  });
});

describe('a user service', () => {
  it('passes verify as a user unit, with the default data dir under HOME and no root-only options', async () => {
    const units = join(dir, 'user');
    const home = mkdtempSync(join(dir, 'home-'));
    const result = await megabit(['service', 'install', '--user', '--unit-dir', units], { HOME: home, MEGABIT_CONFIG: '' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const file = join(units, 'megabit.service');
    const check = await verify(file, true);
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.code).toBe(0);
    const unit = readFileSync(file, 'utf8');
    expect(unitValues(unit, 'ExecStart')).toEqual([`"${process.execPath}" "${BRIDGE_CLI}"`]);
    expect(unitValues(unit, 'WantedBy')).toEqual(['default.target']);
    expect(unitValues(unit, 'Environment')).toEqual([`"GLIBC_TUNABLES=${GLIBC_TUNABLES}"`]);
    expect(unitValues(unit, 'User')).toEqual([]);
    expect(unitValues(unit, 'DevicePolicy')).toEqual([]);
    expect(statSync(join(home, '.megabit')).mode & 0o777).toBe(0o700);
    expect(result.stdout).toContain('journalctl --user -u megabit -f');
    expect(result.stdout).toContain(`sudo usermod -aG dialout ${me}`);
    expect(result.stdout).toContain(`sudo loginctl enable-linger ${me}`);
  });
});

describe('refusals', () => {
  it('leaves alone a megabit.service it did not write', async () => {
    const units = join(dir, 'foreign');
    mkdirSync(units);
    const file = join(units, 'megabit.service');
    writeFileSync(file, '[Service]\nExecStart=/bin/true\n');
    const result = await megabit(['service', 'remove', '--unit-dir', units]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('was not written by "megabit service install"');
    expect(existsSync(file)).toBe(true);
  });

  it('names a user that does not exist', async () => {
    const result = await megabit(['service', 'install', '--run-as', 'no-such-user-here', '--unit-dir', join(dir, 'nobody')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('there is no user "no-such-user-here"');
    expect(existsSync(join(dir, 'nobody', 'megabit.service'))).toBe(false);
  });
});
