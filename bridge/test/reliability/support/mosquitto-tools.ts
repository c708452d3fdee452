/** Debian's mosquitto_pub, mosquitto_sub and the bridge's `megabit user` command, run as a user would. */
import { BRIDGE_CLI } from '../../helpers/bridge-process';
import { run, type ToolResult } from '../../helpers/run-tool';

export function mosquittoPub(port: number, args: string[], input?: string | Buffer): Promise<ToolResult> {
  return run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), ...args], { input });
}

export function mosquittoSub(port: number, args: string[]): Promise<ToolResult> {
  return run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), ...args]);
}

/** `megabit user add NAME --file FILE --password-stdin`, the password on stdin. */
export async function megabitUserAdd(file: string, name: string, password: string): Promise<void> {
  const result = await run(process.execPath, [BRIDGE_CLI, 'user', 'add', name, '--file', file, '--password-stdin'], { input: `${password}\n` });
  if (result.code !== 0) throw new Error(`megabit user add failed (${result.code}): ${result.stderr}`);
}

export async function megabitUserRemove(file: string, name: string): Promise<ToolResult> {
  return run(process.execPath, [BRIDGE_CLI, 'user', 'remove', name, '--file', file]);
}
