/**
 * `megabit user add NAME` / `megabit user remove NAME`: edits the embedded broker's password file
 * in mosquitto's format (`$7$` PBKDF2-SHA512 lines), so mosquitto_passwd and mosquitto read it
 * too. Other lines (comments, other users) are kept as they are. A running bridge notices the
 * change within a second; the file is replaced atomically, readable by its owner only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadStream } from 'node:tty';
import { hashPassword, userNameProblem } from '../broker/password-file';
import type { Settings } from '../config';
import { writeFileAtomic } from '../util/atomic-file';
import { errorMessage } from '../util/logger';
import { readFirstLine, readPasswordFromTerminal } from './password-input';

export const USER_HELP = `megabit user: logins for the embedded MQTT broker

  megabit user add NAME      add NAME, or change its password (asked twice, not shown)
  megabit user remove NAME   remove NAME

Options:
  --file FILE        the password file (default: broker.password_file from megabit.yaml,
                     else passwd in the data folder)
  --password-stdin   read the password from the first line of stdin (also when stdin is not
                     a terminal)
  --config FILE      settings file to read broker.password_file from

The file is in mosquitto's format: mosquitto_passwd can edit it, and mosquitto can use it.
Set broker.password_file to it in megabit.yaml to require logins (see docs/security.md).
`;

export interface UserCommandIo {
  stdin: NodeJS.ReadableStream & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode'>>;
  stderr: NodeJS.WriteStream;
  out(line: string): void;
  /** Settings, loaded only when --file is not given. */
  settings(configFile: string | undefined): Settings;
}

interface UserArgs {
  action: 'add' | 'remove';
  name: string;
  file?: string;
  config?: string;
  passwordStdin: boolean;
}

function parseUserArgs(argv: string[]): UserArgs {
  const [action, name, ...rest] = argv;
  if (action !== 'add' && action !== 'remove') throw new Error(`unknown command "${action ?? ''}" (megabit user --help)`);
  if (name === undefined || name.startsWith('--')) throw new Error(`megabit user ${action} needs a user name`);
  const problem = userNameProblem(name);
  if (problem) throw new Error(problem);
  const args: UserArgs = { action, name, passwordStdin: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--password-stdin') args.passwordStdin = true;
    else if (arg === '--file' || arg === '--config') {
      const value = rest[++i];
      if (value === undefined) throw new Error(`${arg} needs a file name`);
      args[arg === '--file' ? 'file' : 'config'] = value;
    } else throw new Error(`unknown option "${arg}"`);
  }
  return args;
}

/** The file's lines without NAME's line; whether NAME was there. */
function withoutUser(text: string, name: string): { lines: string[]; found: boolean } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const kept = lines.filter((line) => line.replace(/\r$/, '').split(':', 1)[0] !== name || line.trimStart().startsWith('#'));
  return { lines: kept, found: kept.length !== lines.length };
}

async function readPassword(args: UserArgs, io: UserCommandIo): Promise<string> {
  const stdin = io.stdin;
  const password =
    !args.passwordStdin && stdin.isTTY && stdin.setRawMode ? await readPasswordFromTerminal(stdin as ReadStream, io.stderr) : await readFirstLine(stdin);
  if (password === '') throw new Error('the password is empty; nothing changed');
  return password;
}

export async function runUserCommand(argv: string[], io: UserCommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    io.out(USER_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseUserArgs(argv);
  let file = args.file;
  let configured = true;
  if (file === undefined) {
    let settings: Settings;
    try {
      settings = io.settings(args.config);
    } catch (e) {
      // E.g. a LAN address without logins yet: exactly what adding a user is meant to fix.
      throw new Error(`${errorMessage(e)}\n(to add users anyway, name the password file: --file FILE)`);
    }
    configured = settings.broker.password_file !== undefined;
    file = settings.broker.password_file ?? join(settings.data_dir, 'passwd');
  }
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const { lines, found } = withoutUser(existing, args.name);
  if (args.action === 'remove') {
    if (!found) {
      io.out(`${args.name} is not in ${file}; nothing changed`);
      return 1;
    }
  } else {
    lines.push(`${args.name}:${await hashPassword(await readPassword(args, io))}`);
  }
  writeFileAtomic(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  io.out(`${args.action === 'add' ? (found ? 'changed the password of' : 'added') : 'removed'} ${args.name} in ${file}`);
  if (!configured) io.out(`to require logins, add to megabit.yaml:\n  broker:\n    password_file: ${file}`);
  return 0;
}
