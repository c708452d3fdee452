/**
 * Home Assistant's template rendering for the tests, with real Jinja (Debian's python3-jinja2)
 * through render_template.py: what its MQTT entities do with a config's value_template,
 * command_template and availability templates.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'render_template.py');

/** Renders each `[template, value]`; a template error comes back as `{ error }`. */
export function renderTemplates(requests: Array<[template: string, value: string]>): Array<{ ok?: string; error?: string }> {
  const input = `${requests.map(([template, value]) => JSON.stringify({ template, value })).join('\n')}\n`;
  const output = execFileSync('/usr/bin/python3', [SCRIPT], { input, encoding: 'utf8' });
  return output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { ok?: string; error?: string });
}

/** Renders one template as Home Assistant does; throws on a template error. */
export function renderTemplate(template: string, value: string): string {
  const [result] = renderTemplates([[template, value]]);
  if (result.error !== undefined) throw new Error(`template error: ${result.error}`);
  return result.ok!;
}

/** Renders a template with named variables, as a script's templates see its fields. */
export function renderWithVariables(template: string, variables: Record<string, unknown>): string {
  const input = `${JSON.stringify({ template, variables })}\n`;
  const result = JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT], { input, encoding: 'utf8' }).trim()) as { ok?: string; error?: string };
  if (result.error !== undefined) throw new Error(`template error: ${result.error}`);
  return result.ok!;
}

/** What the render_template command's Home Assistant renders from a template and the states. */
export interface LiveRender {
  result?: unknown;
  error?: string;
  /** The entities the template read: a change of one of them renders it again. */
  entities: string[];
  all: boolean;
  warnings: string[];
}

/**
 * One python3 process rendering templates against entity states, as the websocket API's
 * render_template does; requests are answered in order, one line each.
 */
export class LiveTemplateRenderer {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(answer: LiveRender) => void> = [];
  private buffered = '';

  constructor() {
    this.process = spawn('/usr/bin/python3', [SCRIPT], { stdio: 'pipe' });
    this.process.stdout.setEncoding('utf8');
    this.process.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let end = this.buffered.indexOf('\n'); end >= 0; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        this.waiting.shift()?.(JSON.parse(line) as LiveRender);
      }
    });
  }

  render(
    template: string,
    states: Record<string, { state: string; attributes: Record<string, unknown> }>,
    variables: Record<string, unknown> = {},
  ): Promise<LiveRender> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.process.stdin.write(`${JSON.stringify({ template, states, variables })}\n`);
    });
  }

  close(): void {
    this.process.stdin.end();
  }
}
