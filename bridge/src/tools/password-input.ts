/**
 * Reads a password: typed at a terminal without echoing it (asked twice), or the first line of
 * stdin when it is not a terminal (`echo secret | megabit user add NAME --password-stdin`).
 */
import type { ReadStream } from 'node:tty';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/**
 * Lines typed at the terminal, one per prompt, nothing shown. Characters typed ahead (before the
 * next prompt) count for the next line. Rejects on Ctrl-C or Ctrl-D.
 */
function readHiddenLines(prompts: string[], input: ReadStream, output: NodeJS.WriteStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let typed = '';
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      if (error) {
        output.write('\n');
        reject(error);
      } else resolve(lines);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === CTRL_C || ch === CTRL_D) return finish(new Error('cancelled'));
        if (ch === '\r' || ch === '\n') {
          output.write('\n');
          lines.push(typed);
          typed = '';
          if (lines.length === prompts.length) return finish();
          output.write(prompts[lines.length]);
        } else if (BACKSPACE.has(ch)) typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
    output.write(prompts[0]);
  });
}

export async function readPasswordFromTerminal(input: ReadStream, output: NodeJS.WriteStream): Promise<string> {
  const [first, again] = await readHiddenLines(['Password: ', 'Password again: '], input, output);
  if (first !== again) throw new Error('the two passwords differ; nothing changed');
  return first;
}

/** The first line of a stream (without its line ending). */
export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/, 1)[0];
}
