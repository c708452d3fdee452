/** Logins and reloads of the broker's password and ACL files, without a broker around them. */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerAccess } from '../../src/broker/broker-access';
import { hashPassword } from '../../src/broker/password-file';
import { createLogger } from '../../src/util/logger';

const dir = mkdtempSync(join(tmpdir(), 'megabit-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger('error');
const pw = (text: string): Buffer => Buffer.from(text);

async function passwordFile(name: string, users: Record<string, string>): Promise<string> {
  const file = join(dir, name);
  const lines = await Promise.all(Object.entries(users).map(async ([user, password]) => `${user}:${await hashPassword(password)}`));
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

it('logins: right, wrong, unknown, missing password, anonymous', async () => {
  const access = new BrokerAccess({ passwordFile: await passwordFile('a', { ann: 'pw-ann' }), allowAnonymous: false }, log);
  access.load();
  expect(await access.login('ann', pw('pw-ann'))).toBe('ok');
  expect(await access.login('ann', pw('pw-bob'))).toBe('bad-login');
  expect(await access.login('bob', pw('pw-ann'))).toBe('bad-login');
  expect(await access.login('ann', undefined)).toBe('bad-login');
  expect(await access.login(undefined, undefined)).toBe('anonymous-refused');
  const open = new BrokerAccess({ passwordFile: await passwordFile('b', { ann: 'x' }), allowAnonymous: true }, log);
  open.load();
  expect(await open.login(undefined, undefined)).toBe('ok');
  expect(await open.login('ann', pw('wrong'))).toBe('bad-login');
});

it('without a password file everyone gets in; without an ACL every topic is open', async () => {
  const access = new BrokerAccess({ allowAnonymous: false }, log);
  access.load();
  expect(access.loginsRequired).toBe(false);
  expect(await access.login(undefined, undefined)).toBe('ok');
  expect(access.mayPublish({ clientId: 'c' }, 'any/topic')).toBe(true);
  expect(access.maySubscribe({ clientId: 'c' }, '#')).toBe(true);
});

it('a login flood: two checks at a time, a bounded queue, the rest turned away at once', async () => {
  const access = new BrokerAccess({ passwordFile: await passwordFile('c', { ann: 'pw' }), allowAnonymous: false }, log);
  access.load();
  const results = await Promise.all(Array.from({ length: 300 }, () => access.login('ann', pw('pw'))));
  expect(results.filter((r) => r === 'busy')).toHaveLength(300 - 2 - 200);
  expect(results.filter((r) => r === 'ok')).toHaveLength(202);
  // Once the flood is over, logins work again.
  expect(await access.login('ann', pw('pw'))).toBe('ok');
});

it('at start a missing file is an error naming it; later it keeps what it read before', async () => {
  const file = await passwordFile('d', { ann: 'pw' });
  const missing = new BrokerAccess({ passwordFile: join(dir, 'nope'), allowAnonymous: false }, log);
  expect(() => missing.load()).toThrow(/broker.password_file .*nope cannot be read.*megabit user add/);
  const access = new BrokerAccess({ passwordFile: file, aclFile: join(dir, 'acl'), allowAnonymous: false }, log);
  writeFileSync(join(dir, 'acl'), 'user ann\ntopic read a/#\n');
  access.load();
  unlinkSync(file);
  writeFileSync(join(dir, 'acl'), 'user ann\ntopic read b/#\n');
  access.reload();
  expect(await access.login('ann', pw('pw'))).toBe('ok');
  expect(access.maySubscribe({ username: 'ann', clientId: 'c' }, 'b/#')).toBe(true);
  expect(access.maySubscribe({ username: 'ann', clientId: 'c' }, 'a/#')).toBe(false);
});
