/**
 * `megabit service install [--user]` / `megabit service remove [--user]`: the bridge as a systemd
 * service that survives reboots. Writes the unit from service-unit.ts, makes the data dir the
 * service may write, and enables it with systemctl when a systemd runs here; otherwise it says
 * exactly what to run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PRIVATE_DIR_MODE, writeFileAtomic } from '../util/atomic-file';
import { errorMessage } from '../util/logger';
import { serviceUnit, UNIT_MARKER } from './service-unit';

export const SERVICE_HELP = `megabit service: run the bridge as a systemd service

  megabit service install    write /etc/systemd/system/megabit.service and enable it (as root)
  megabit service remove     stop, disable and delete it (the data dir is kept)

Options:
  --user             a user service instead (~/.config/systemd/user/megabit.service), no root needed
  --run-as USER      the user a system service runs as (default: the user who ran sudo)
  --config FILE      the settings file the service reads (default: ~/.megabit/megabit.yaml of
                     that user, when it exists)
  --data-dir DIR     the data dir (default: data_dir from the settings, else ~/.megabit)
  --unit-dir DIR     write the unit into DIR instead of systemd's folder (systemctl is not run)
`;

const UNIT_NAME = 'megabit.service';
const SYSTEM_UNIT_DIR = '/etc/systemd/system';

export interface ServiceCommandIo {
  out(line: string): void;
  env: NodeJS.ProcessEnv;
}

interface ServiceArgs {
  action: 'install' | 'remove';
  user: boolean;
  runAs?: string;
  config?: string;
  dataDir?: string;
  unitDir?: string;
}

function parseServiceArgs(argv: string[]): ServiceArgs {
  const [action, ...rest] = argv;
  if (action !== 'install' && action !== 'remove') throw new Error(`unknown command "${action ?? ''}" (megabit service --help)`);
  const args: ServiceArgs = { action, user: false };
  const valued = { '--run-as': 'runAs', '--config': 'config', '--data-dir': 'dataDir', '--unit-dir': 'unitDir' } as const;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--user') args.user = true;
    else if (arg in valued) {
      const value = rest[++i];
      if (value === undefined || value === '') throw new Error(`${arg} needs a value`);
      args[valued[arg as keyof typeof valued]] = value;
    } else throw new Error(`unknown option "${arg}" (megabit service --help)`);
  }
  if (args.user && args.runAs !== undefined) throw new Error('--run-as is for a system service: a user service runs as you');
  return args;
}

interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The user's passwd entry, through NSS (getent), so LDAP and the like count too. */
function account(name: string): Account {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = r.status === 0 ? r.stdout.trim().split(':') : [];
  if (fields.length < 7) throw new Error(`there is no user "${name}" on this machine`);
  return { name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

/** Who a system service runs as: never root by default, since the bridge needs no privilege. */
function serviceAccount(args: ServiceArgs, env: NodeJS.ProcessEnv): Account {
  // A user service runs in this login's manager, whose HOME is this one's.
  if (args.user) return { ...account(userInfo().username), home: homedir() };
  if (args.runAs) return account(args.runAs);
  if (env.SUDO_USER && env.SUDO_USER !== 'root') return account(env.SUDO_USER);
  if (process.getuid?.() !== 0) return account(userInfo().username);
  throw new Error('say which user the service runs as: --run-as USER (running the bridge as root is not needed)');
}

const expandHome = (path: string, home: string): string => (path === '~' || path.startsWith('~/') ? join(home, path.slice(2)) : resolve(path));

/** The settings file the service will read, when there is one: as the bridge looks for it. */
function settingsFile(args: ServiceArgs, env: NodeJS.ProcessEnv, who: Account): { file?: string; explicit: boolean } {
  const named = args.config ?? env.MEGABIT_CONFIG;
  if (named) return { file: resolve(named), explicit: true };
  const home = join(who.home, '.megabit', 'megabit.yaml');
  return { file: existsSync(home) ? home : undefined, explicit: false };
}

/** data_dir as the service will see it: from the settings file, ~ being the service user's home. */
function serviceDataDir(args: ServiceArgs, file: string | undefined, who: Account): string {
  if (args.dataDir) return resolve(args.dataDir);
  let configured: unknown;
  if (file) {
    if (!existsSync(file)) throw new Error(`settings file not found: ${file}`);
    try {
      configured = (parseYaml(readFileSync(file, 'utf8')) as { data_dir?: unknown } | null)?.data_dir;
    } catch (e) {
      throw new Error(`${file} is not valid YAML: ${errorMessage(e)}`);
    }
  }
  return expandHome(typeof configured === 'string' && configured !== '' ? configured : '~/.megabit', who.home);
}

function unitDir(args: ServiceArgs, env: NodeJS.ProcessEnv): { dir: string; custom: boolean } {
  if (args.unitDir) return { dir: resolve(args.unitDir), custom: true };
  if (!args.user) return { dir: SYSTEM_UNIT_DIR, custom: false };
  const config = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return { dir: join(config, 'systemd', 'user'), custom: false };
}

/** Whether systemctl can reach a running systemd (the test sd_booted() makes, and a user bus for --user). */
function systemdReachable(user: boolean, env: NodeJS.ProcessEnv): boolean {
  if (!existsSync('/run/systemd/system')) return false;
  return !user || (env.XDG_RUNTIME_DIR !== undefined && existsSync(join(env.XDG_RUNTIME_DIR, 'systemd')));
}

/** Runs systemctl commands in order; stops at the first failure and says what is left to run. */
function runSystemctl(commands: string[][], user: boolean, io: ServiceCommandIo): boolean {
  for (const [i, command] of commands.entries()) {
    const argv = [...(user ? ['--user'] : []), ...command];
    const r = spawnSync('systemctl', argv, { encoding: 'utf8' });
    if (r.status !== 0) {
      io.out(`systemctl ${argv.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`);
      io.out(`run by hand:\n${printable(commands.slice(i), user)}`);
      return false;
    }
    io.out(`ran: systemctl ${argv.join(' ')}`);
  }
  return true;
}

function printable(commands: string[][], user: boolean): string {
  return commands.map((c) => `  ${user ? 'systemctl --user' : 'sudo systemctl'} ${c.join(' ')}`).join('\n');
}

function install(args: ServiceArgs, io: ServiceCommandIo): number {
  if (!args.user && !args.unitDir && process.getuid?.() !== 0)
    throw new Error(
      `a system service needs root: run it with sudo (sudo "${process.execPath}" ${process.argv[1] ?? 'megabit'} service install), or install a user service with --user`,
    );
  const who = serviceAccount(args, io.env);
  const settings = settingsFile(args, io.env, who);
  const dataDir = serviceDataDir(args, settings.file, who);
  // Where this very command runs from: the service runs the same bridge with the same Node.
  const cli = realpathSync(resolve(__dirname, '..', 'cli.js'));
  const node = realpathSync(process.execPath);
  const unit = serviceUnit({
    user: args.user,
    node,
    cli,
    configFile: settings.explicit ? settings.file : undefined,
    dataDir,
    dataDirFromOption: args.dataDir !== undefined,
    runAs: who.name,
  });
  // ReadWritePaths= needs the folder to exist, and the bridge cannot create it under ProtectSystem=strict.
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (process.getuid?.() === 0 && who.uid !== 0) chownSync(dataDir, who.uid, who.gid);
    io.out(`made the data dir ${dataDir}`);
  }
  const { dir, custom } = unitDir(args, io.env);
  const file = join(dir, UNIT_NAME);
  writeFileAtomic(file, unit);
  // Nothing secret in it, and systemd tools run as other users read it.
  chmodSync(file, 0o644);
  io.out(`wrote ${file} (runs ${cli} with ${node} as ${who.name}, data in ${dataDir})`);
  const commands = [['daemon-reload'], ['enable', '--now', UNIT_NAME]];
  if (custom) io.out(`the unit is not in systemd's folder (--unit-dir): copy it there, then run:\n${printable(commands, args.user)}`);
  else if (!systemdReachable(args.user, io.env))
    io.out(`systemd is not running here; where it runs, enable the service with:\n${printable(commands, args.user)}`);
  else runSystemctl(commands, args.user, io);
  io.out(`follow its log: ${args.user ? 'journalctl --user -u megabit -f' : 'journalctl -u megabit -f'}`);
  if (args.user) {
    io.out(`to start it at boot without logging in: sudo loginctl enable-linger ${who.name}`);
    io.out(`the serial port needs group dialout: sudo usermod -aG dialout ${who.name} (then log in again)`);
  }
  return 0;
}

function remove(args: ServiceArgs, io: ServiceCommandIo): number {
  const { dir, custom } = unitDir(args, io.env);
  const file = join(dir, UNIT_NAME);
  if (!existsSync(file)) {
    io.out(`there is no ${file}; nothing to remove`);
    return 1;
  }
  if (!readFileSync(file, 'utf8').includes(UNIT_MARKER))
    throw new Error(`${file} was not written by "megabit service install"; left alone (remove it by hand if it is yours)`);
  const reachable = !custom && systemdReachable(args.user, io.env);
  if (reachable) runSystemctl([['disable', '--now', UNIT_NAME]], args.user, io);
  else {
    // What `systemctl enable` made: with no systemd to ask, the link is removed here.
    const wants = join(dir, args.user ? 'default.target.wants' : 'multi-user.target.wants', UNIT_NAME);
    if (lstatSync(wants, { throwIfNoEntry: false })?.isSymbolicLink()) {
      unlinkSync(wants);
      io.out(`removed ${wants}`);
    }
  }
  unlinkSync(file);
  io.out(`removed ${file}; the data dir is kept`);
  if (reachable) runSystemctl([['daemon-reload']], args.user, io);
  else io.out(`systemd is not running here; where it runs, finish with:\n${printable([['daemon-reload']], args.user)}`);
  return 0;
}

export function runServiceCommand(argv: string[], io: ServiceCommandIo): number {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.out(SERVICE_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseServiceArgs(argv);
  return args.action === 'install' ? install(args, io) : remove(args, io);
}
