/** A fresh data dir whose embedded broker has logins and the shipped ACL (config/megabit.acl), as a user sets it up. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bridge-process';
import { newDataDir } from './data-dir';
import { megabitUserAdd } from './mosquitto-tools';

export interface Login {
  username: string;
  password: string;
}

export interface ShippedAclSetup {
  dataDir: string;
  passwordFile: string;
  /** The `broker` settings for startBridge. */
  broker: { password_file: string; acl_file: string };
}

/** The logins are written by `megabit user add`, one after another (they share the password file). */
export async function withLoginsAndShippedAcl(logins: Login[]): Promise<ShippedAclSetup> {
  const dataDir = newDataDir();
  const passwordFile = join(dataDir, 'passwords');
  for (const { username, password } of logins) await megabitUserAdd(passwordFile, username, password);
  const aclFile = join(dataDir, 'megabit.acl');
  copyFileSync(join(REPO_ROOT, 'config', 'megabit.acl'), aclFile);
  return { dataDir, passwordFile, broker: { password_file: passwordFile, acl_file: aclFile } };
}
