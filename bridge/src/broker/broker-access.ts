/**
 * Who may connect to the embedded broker and which topics each client may use: the password
 * file and the ACL file, re-read when either changes on disk (or on `reload()`, which the CLI calls
 * on SIGHUP) without a restart. A file that becomes unreadable keeps the last good contents.
 */
import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { canPublish, canReceive, canSubscribe, parseAcl, type Acl, type Who } from './acl';
import { parsePasswordFile, verifyPassword, WRITE_ITERATIONS, type PasswordHash } from './password-file';
import { errorMessage, type Logger } from '../util/logger';

export interface BrokerAccessOptions {
  passwordFile?: string;
  aclFile?: string;
  /** Clients without a user name are let in although a password file exists. */
  allowAnonymous: boolean;
}

export type LoginResult = 'ok' | 'bad-login' | 'anonymous-refused' | 'busy';

/** How often the files are checked for changes (a stat each, no read unless changed). */
const WATCH_INTERVAL_MS = 1000;
/**
 * PBKDF2 runs on libuv's thread pool (4 threads), which file I/O shares: a login flood may use at
 * most this many at once, and beyond a bounded queue further logins are turned away at once.
 */
const MAX_CONCURRENT_CHECKS = 2;
const MAX_WAITING_CHECKS = 200;
/** Checked for unknown user names, so the answer takes as long as for a known one. */
const DECOY: PasswordHash = { kind: 'pbkdf2', iterations: WRITE_ITERATIONS, salt: Buffer.alloc(12), hash: Buffer.alloc(64) };

export class BrokerAccess {
  private users?: Map<string, PasswordHash>;
  private acl?: Acl;
  private checking = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly options: BrokerAccessOptions,
    private readonly log: Logger,
  ) {}

  /** Reads both files; at start a missing or unreadable file is an error the user must fix. */
  load(): void {
    const { passwordFile, aclFile } = this.options;
    if (passwordFile !== undefined) this.users = this.readPasswords(passwordFile);
    if (aclFile !== undefined) this.acl = this.readAcl(aclFile);
  }

  /** Re-reads both files, keeping the previous contents of one that cannot be read. */
  reload(): void {
    const { passwordFile, aclFile } = this.options;
    try {
      if (passwordFile !== undefined) this.users = this.readPasswords(passwordFile);
    } catch (e) {
      this.log.warn(`${errorMessage(e)}; keeping the logins read before`);
    }
    try {
      if (aclFile !== undefined) this.acl = this.readAcl(aclFile);
    } catch (e) {
      this.log.warn(`${errorMessage(e)}; keeping the topic access read before`);
    }
  }

  watch(): void {
    for (const file of this.files()) {
      watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, (now: Stats, before: Stats) => {
        if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
        this.log.info(`${file} changed: reloading`);
        this.reload();
      });
    }
  }

  close(): void {
    for (const file of this.files()) unwatchFile(file);
  }

  get loginsRequired(): boolean {
    return this.users !== undefined;
  }

  async login(username: string | undefined, password: Buffer | undefined): Promise<LoginResult> {
    const users = this.users;
    if (users === undefined) return 'ok';
    if (username === undefined) return this.options.allowAnonymous ? 'ok' : 'anonymous-refused';
    const entry = users.get(username);
    if (this.checking >= MAX_CONCURRENT_CHECKS) {
      if (this.waiting.length >= MAX_WAITING_CHECKS) return 'busy';
      // The slot is handed over by the check that finishes (see finally): never more than the cap.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.checking++;
    }
    try {
      const matches = await verifyPassword(entry ?? DECOY, password ?? Buffer.alloc(0));
      return matches && entry !== undefined && password !== undefined ? 'ok' : 'bad-login';
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.checking--;
    }
  }

  /** Without an ACL file every client that got in may use every topic. */
  mayPublish(who: Who, topic: string): boolean {
    return this.acl === undefined || canPublish(this.acl, who, topic);
  }

  maySubscribe(who: Who, filter: string): boolean {
    return this.acl === undefined || canSubscribe(this.acl, who, filter);
  }

  mayReceive(who: Who, topic: string): boolean {
    return this.acl === undefined || canReceive(this.acl, who, topic);
  }

  get hasAcl(): boolean {
    return this.acl !== undefined;
  }

  private files(): string[] {
    return [this.options.passwordFile, this.options.aclFile].filter((f): f is string => f !== undefined);
  }

  private readPasswords(file: string): Map<string, PasswordHash> {
    const { users, problems } = parsePasswordFile(read(file, 'broker.password_file', 'create it with "megabit user add NAME"'));
    for (const problem of problems) this.log.warn(`${file} ${problem}: that line is ignored`);
    this.log.info(`${users.size} login${users.size === 1 ? '' : 's'} from ${file}`);
    return users;
  }

  private readAcl(file: string): Acl {
    const { acl, problems } = parseAcl(read(file, 'broker.acl_file', 'see config/megabit.acl for a ready one'));
    for (const problem of problems) this.log.warn(`${file} ${problem}: that line is ignored`);
    this.log.info(`topic access for ${acl.users.size} user${acl.users.size === 1 ? '' : 's'} from ${file}`);
    return acl;
  }
}

function read(file: string, key: string, hint: string): string {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    return readFileSync(file, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(`${key} ${file} cannot be read (${missing ? `it does not exist; ${hint}` : errorMessage(e)})`);
  }
}
