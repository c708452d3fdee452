/** curl against the bridge's HTTP(S) port: what a client really gets, headers included. */
import { run, type ToolResult } from './run-tool';

/** `curl -s -S ARGS`: exit code (60: the peer's certificate is not trusted) and output. */
export function curl(args: string[]): Promise<ToolResult> {
  return run('curl', ['-s', '-S', ...args], { encoding: 'latin1' });
}

export interface CurlAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** GET `url` with the headers dumped and the path sent as written (`--path-as-is`). */
export async function curlWithHeaders(url: string, ...args: string[]): Promise<CurlAnswer> {
  const { code, stdout, stderr } = await curl(['-D', '-', '--path-as-is', ...args, url]);
  if (code !== 0) throw new Error(`curl ${url} failed (${code}): ${stderr}`);
  const split = stdout.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = stdout.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: stdout.slice(split + 4) };
}
