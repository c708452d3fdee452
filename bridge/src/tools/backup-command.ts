/**
 * `megabit backup FILE` and `megabit restore FILE`: the data dir and the settings in one archive
 * (bridge/src/backup/), restorable on another machine.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeBackup } from '../backup/backup';
import { readBackup, restoreBackup } from '../backup/restore';
import { runningBridge } from '../backup/running-bridge';
import { loadSettings, type Settings, settingsFrom } from '../config';
import { errorMessage } from '../util/logger';
import { VERSION } from '../version';

export const BACKUP_HELP = `megabit backup FILE: the data dir (apps, their KV stores and config, screens, icons, device
settings, logins kept there) and the settings file, in one archive (a .tar.gz)

megabit restore FILE: puts a backup in place, here or on another machine. Refuses while a bridge
runs on the data dir. The data dir is replaced as a whole; what it held before is kept beside it.

Options:
  --config FILE      the settings file (default: $MEGABIT_CONFIG, else ~/.megabit/megabit.yaml);
                     restore writes the backup's settings there
  --data-dir DIR     restore: where the data goes (default: data_dir from the settings here, else
                     ~/.megabit); the restored settings are made to name it
  --force            restore: go ahead although something listens on the bridge's ports
`;

export interface BackupCommandIo {
  out(line: string): void;
}

interface BackupArgs {
  file: string;
  config?: string;
  dataDir?: string;
  force: boolean;
}

function parseBackupArgs(command: 'backup' | 'restore', argv: string[]): BackupArgs {
  const [file, ...rest] = argv;
  if (file === undefined || file.startsWith('--')) throw new Error(`megabit ${command} needs a file name (megabit ${command} --help)`);
  const args: BackupArgs = { file: resolve(file), force: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--force' && command === 'restore') args.force = true;
    else if (arg === '--config' || (arg === '--data-dir' && command === 'restore')) {
      const value = rest[++i];
      if (value === undefined || value === '') throw new Error(`${arg} needs a value`);
      if (arg === '--config') args.config = resolve(value);
      else args.dataDir = resolve(value);
    } else throw new Error(`unknown option "${arg}" (megabit ${command} --help)`);
  }
  return args;
}

/** The settings file as the bridge picks it; `undefined` when none is named and none is there. */
function namedSettingsFile(args: BackupArgs): string | undefined {
  if (args.config) return args.config;
  if (process.env.MEGABIT_CONFIG) return resolve(process.env.MEGABIT_CONFIG);
  const home = join(homedir(), '.megabit', 'megabit.yaml');
  return existsSync(home) ? home : undefined;
}

function backup(args: BackupArgs, io: BackupCommandIo): number {
  const settingsFile = namedSettingsFile(args);
  const settings = loadSettings(settingsFile);
  if (!existsSync(settings.data_dir)) throw new Error(`there is no data dir at ${settings.data_dir}: nothing to back up`);
  const { manifest, skipped, outside } = writeBackup(args.file, settings, settingsFile, VERSION);
  io.out(`wrote ${args.file}: ${manifest.files.length} file(s) from ${settings.data_dir}${settingsFile ? ` and ${settingsFile}` : ''}`);
  for (const path of skipped) io.out(`left out ${path}: not a regular file`);
  for (const path of outside) io.out(`not in the backup (outside the data dir; copy it yourself): ${path}`);
  return 0;
}

async function restore(args: BackupArgs, io: BackupCommandIo): Promise<number> {
  const settingsFile = namedSettingsFile(args) ?? join(homedir(), '.megabit', 'megabit.yaml');
  let here: Settings;
  try {
    here = existsSync(settingsFile) ? loadSettings(settingsFile) : settingsFrom({}, 'defaults');
  } catch (e) {
    // The settings here may be what the restore is meant to fix: go by the defaults.
    io.out(`the settings in ${settingsFile} do not load (${errorMessage(e).split('\n')[0]}); going by the defaults`);
    here = settingsFrom({}, 'defaults');
  }
  const dataDir = args.dataDir ?? here.data_dir;
  // Read and check the whole archive first: a refused archive is reported even with a bridge running.
  const backupRead = readBackup(args.file, VERSION);
  const running = await runningBridge(dataDir, here);
  if (running && (running.certain || !args.force)) throw new Error(running.message);
  for (const note of restoreBackup(backupRead, { dataDir, settingsFile })) io.out(note);
  const m = backupRead.manifest;
  io.out(`from a backup of ${m.data_dir} made ${m.created_at} by megabit ${m.bridge_version}; start the bridge to use it (sudo systemctl start megabit)`);
  return 0;
}

export async function runBackupCommand(command: 'backup' | 'restore', argv: string[], io: BackupCommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.out(BACKUP_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseBackupArgs(command, argv);
  return command === 'backup' ? backup(args, io) : restore(args, io);
}
