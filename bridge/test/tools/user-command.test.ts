/**
 * `megabit user add/remove` as a person runs it: at a terminal (a real pseudo-terminal from
 * util-linux's `script`), the password is asked twice and never shown; from a pipe it is read
 * from stdin. The file keeps other lines and is readable by its owner only.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePasswordFile, verifyPassword } from '../../src/broker/password-file';
import { BRIDGE_CLI } from '../helpers/bridge-process';
import { megabitUserAdd, megabitUserRemove } from '../helpers/mosquitto-tools';

jest.setTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), 'megabit-user-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `megabit user add NAME` on a pseudo-terminal, typing each answer after its prompt. */
function addAtTerminal(file: string, name: string, answers: string[], typeAhead = false): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BRIDGE_CLI)} user add ${name} --file ${JSON.stringify(file)}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let prompts = 0;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      // Answer each prompt once it is on the screen: by then the terminal is in no-echo mode.
      const seen = typeAhead && screen.includes('Password: ') ? answers.length : (screen.match(/Password(?: again)?: /g) ?? []).length;
      while (prompts < Math.min(seen, answers.length)) child.stdin.write(`${answers[prompts++]}\r`);
    });
    // A command stuck waiting for input must not outlive the test.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

async function passwordOf(file: string, name: string): Promise<(password: string) => Promise<boolean>> {
  const entry = parsePasswordFile(readFileSync(file, 'utf8')).users.get(name);
  if (!entry) throw new Error(`${name} is not in ${file}`);
  return (password) => verifyPassword(entry, Buffer.from(password));
}

it('at a terminal: asked twice, never echoed, written 0600 in $7$ format', async () => {
  const file = join(dir, 'tty-passwd');
  const { code, screen } = await addAtTerminal(file, 'alice', ['correct horse', 'correct horse']);
  expect(code).toBe(0);
  expect(screen).toContain('Password again: ');
  expect(screen).not.toContain('correct');
  expect(screen).toContain('added alice');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const check = await passwordOf(file, 'alice');
  expect(await check('correct horse')).toBe(true);
  expect(await check('correct horsE')).toBe(false);
});

it('at a terminal: both lines typed ahead at the first prompt are both read', async () => {
  const file = join(dir, 'tty-ahead');
  const { code, screen } = await addAtTerminal(file, 'dave', ['fast typist', 'fast typist'], true);
  expect(code).toBe(0);
  expect(screen).not.toContain('typist');
  expect(await (await passwordOf(file, 'dave'))('fast typist')).toBe(true);
});

it('at a terminal: two different passwords change nothing', async () => {
  const file = join(dir, 'tty-mismatch');
  const { code, screen } = await addAtTerminal(file, 'bob', ['one', 'two']);
  expect(code).toBe(1);
  expect(screen).toMatch(/differ/);
  expect(existsSync(file)).toBe(false);
});

it('from stdin: other lines are kept, a second add changes the password, remove takes the user out', async () => {
  const file = join(dir, 'piped');
  writeFileSync(file, '# our users\nkeep:$6$1/9RqTumzcryA/zF$dLplSHhYIisVxoZW2Kb0bJk8ihyD754IfvvFRb+6AeXYWlnVcajOnFgWmgxGtrv4WA5asseaMH/+ETijzwWVTA==\n');
  await megabitUserAdd(file, 'carol', 'first');
  await megabitUserAdd(file, 'carol', 'second');
  expect(await (await passwordOf(file, 'carol'))('second')).toBe(true);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines.map((l) => l.split(':')[0])).toEqual(['# our users', 'keep', 'carol']);
  expect((await megabitUserRemove(file, 'carol')).code).toBe(0);
  expect((await megabitUserRemove(file, 'carol')).code).toBe(1);
  expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual(lines.slice(0, 2));
});
