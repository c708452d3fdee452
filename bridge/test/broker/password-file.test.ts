/**
 * The password file in mosquitto's format, against files written by Debian's mosquitto_passwd
 * ($7$ PBKDF2-SHA512 by default, $6$ salted SHA512 with -H sha512) and by our own hashPassword.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, parseHash, parsePasswordFile, userNameProblem, verifyPassword, type PasswordHash } from '../../src/broker/password-file';

const dir = mkdtempSync(join(tmpdir(), 'megabit-passwd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mosquittoPasswd(user: string, password: string, ...hashArgs: string[]): string {
  const file = join(dir, `${user}.txt`);
  execFileSync('mosquitto_passwd', [...hashArgs, '-c', '-b', file, user, password]);
  return readFileSync(file, 'utf8');
}

function entry(text: string, user: string): PasswordHash {
  const { users, problems } = parsePasswordFile(text);
  expect(problems).toEqual([]);
  const found = users.get(user);
  if (!found) throw new Error(`${user} missing`);
  return found;
}

it('a $7$ line written by mosquitto_passwd verifies its password and no other', async () => {
  const hash = entry(mosquittoPasswd('alice', 'correct horse'), 'alice');
  expect(hash).toMatchObject({ kind: 'pbkdf2', iterations: 101 });
  expect(await verifyPassword(hash, Buffer.from('correct horse'))).toBe(true);
  expect(await verifyPassword(hash, Buffer.from('correct horsf'))).toBe(false);
  expect(await verifyPassword(hash, Buffer.from(''))).toBe(false);
});

it('a $6$ line (mosquitto 1.6 and -H sha512) verifies too', async () => {
  const hash = entry(mosquittoPasswd('bob', 'älter pässword', '-H', 'sha512'), 'bob');
  expect(hash.kind).toBe('sha512');
  expect(await verifyPassword(hash, Buffer.from('älter pässword'))).toBe(true);
  expect(await verifyPassword(hash, Buffer.from('alter password'))).toBe(false);
});

it('hashPassword writes a $7$ line with a fresh salt each time', async () => {
  const a = await hashPassword('s3cret');
  const b = await hashPassword('s3cret');
  expect(a).toMatch(/^\$7\$1000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
  expect(a).not.toBe(b);
  const parsed = parseHash(a);
  if (typeof parsed === 'string') throw new Error(parsed);
  expect(await verifyPassword(parsed, Buffer.from('s3cret'))).toBe(true);
});

it('bad lines are reported by line number without their content, and skipped', () => {
  const good = 'carol:$6$1/9RqTumzcryA/zF$dLplSHhYIisVxoZW2Kb0bJk8ihyD754IfvvFRb+6AeXYWlnVcajOnFgWmgxGtrv4WA5asseaMH/+ETijzwWVTA==';
  const { users, problems } = parsePasswordFile(
    ['# comment', '', 'plain:notahash', 'nocolon', 'big:$7$99999999$AAAA$AAAA', 'short:$7$101$AAAA$AAAA', 'weird:$9$x$y', good].join('\n'),
  );
  expect([...users.keys()]).toEqual(['carol']);
  expect(problems).toHaveLength(5);
  expect(problems.join('\n')).not.toContain('notahash');
  expect(problems[0]).toMatch(/^line 3 \(user "plain"\): not a hashed password/);
  expect(problems[2]).toMatch(/iteration count/);
});

it('user names mosquitto could not read back are refused', () => {
  expect(userNameProblem('homeassistant')).toBeUndefined();
  expect(userNameProblem('a:b')).toMatch(/":"/);
  expect(userNameProblem('a b')).toBeDefined();
  expect(userNameProblem('')).toBeDefined();
});
