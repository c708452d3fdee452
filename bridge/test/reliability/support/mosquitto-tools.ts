/** Debian's mosquitto_pub, mosquitto_sub and the bridge's `megabit user` command, run as a user would. */
import { spawn } from 'node:child_process';
import { BRIDGE_CLI } from '../../helpers/bridge-process';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], input?: string | Buffer): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    // The broker may close the connection before a large input is read: that is not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

export function mosquittoPub(port: number, args: string[], input?: string | Buffer): Promise<ToolResult> {
  return run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), ...args], input);
}

export function mosquittoSub(port: number, args: string[]): Promise<ToolResult> {
  return run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), ...args]);
}

/** `megabit user add NAME --file FILE --password-stdin`, the password on stdin. */
export async function megabitUserAdd(file: string, name: string, password: string): Promise<void> {
  const result = await run(process.execPath, [BRIDGE_CLI, 'user', 'add', name, '--file', file, '--password-stdin'], `${password}\n`);
  if (result.code !== 0) throw new Error(`megabit user add failed (${result.code}): ${result.stderr}`);
}

export async function megabitUserRemove(file: string, name: string): Promise<ToolResult> {
  return run(process.execPath, [BRIDGE_CLI, 'user', 'remove', name, '--file', file]);
}
