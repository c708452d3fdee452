/**
 * Runs a command-line tool (mosquitto_pub, openssl, curl, the bridge's own CLI) as a user would,
 * and hands back its exit code and what it printed. A non-zero exit is a result, not an error:
 * the tests assert on refusals.
 */
import { spawn } from 'node:child_process';

export interface ToolResult {
  /** The exit code; null when a signal (such as the time limit) ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed (closed at once without it). */
  input?: string | Buffer;
  /** How the output is decoded: latin1 keeps arbitrary bytes one character each. */
  encoding?: BufferEncoding;
  /** Killed after this long, so a tool that hangs fails its test instead of stalling it. */
  timeoutMs?: number;
  /** Working directory (default: this process's). */
  cwd?: string;
  /** The whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: options.cwd, env: options.env });
    const encoding = options.encoding ?? 'utf8';
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString(encoding)));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString(encoding)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // The other side may close the connection before a large input is read: that is not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}
