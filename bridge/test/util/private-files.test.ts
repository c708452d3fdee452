import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Level } from '../../src/util/logger';
import { secretKeys, securePrivateDir, warnIfSecretsReadable } from '../../src/util/private-files';

let root: string;
let lines: Array<[Level, string]>;
const log = createLogger('debug', 'test', (level, _component, message) => void lines.push([level, message]));
const mode = (path: string): number => statSync(path).mode & 0o777;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'megabit-private-'));
  lines = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the data dir', () => {
  it('is created 0700', () => {
    const umask = process.umask(0);
    try {
      securePrivateDir(join(root, 'new', 'data'), log);
    } finally {
      process.umask(umask);
    }
    expect(mode(join(root, 'new', 'data'))).toBe(0o700);
    expect(lines).toEqual([]);
  });

  it("is tightened with the bridge's own files when an older version left them readable, and says so", () => {
    const data = join(root, 'data');
    mkdirSync(join(data, 'apps', 'weather'), { recursive: true });
    writeFileSync(join(data, 'apps', 'weather', 'config.json'), '{"api_key":"k"}');
    writeFileSync(join(data, 'state.json'), '{}');
    writeFileSync(join(data, 'megabit.yaml'), 'log_level: info\n');
    writeFileSync(join(data, 'broker.passwd'), 'user:$7$...\n');
    for (const [path, m] of [
      [data, 0o755],
      [join(data, 'apps'), 0o755],
      [join(data, 'apps', 'weather'), 0o775],
    ] as const)
      chmodSync(path, m);
    for (const file of ['apps/weather/config.json', 'state.json', 'megabit.yaml', 'broker.passwd']) chmodSync(join(data, file), 0o644);

    const changed = securePrivateDir(data, log);
    expect(mode(data)).toBe(0o700);
    expect([mode(join(data, 'apps')), mode(join(data, 'apps', 'weather'))]).toEqual([0o700, 0o700]);
    expect([mode(join(data, 'apps', 'weather', 'config.json')), mode(join(data, 'state.json'))]).toEqual([0o600, 0o600]);
    // Files the user put there are theirs (another program may have to read them).
    expect([mode(join(data, 'megabit.yaml')), mode(join(data, 'broker.passwd'))]).toEqual([0o644, 0o644]);
    expect(changed).toHaveLength(5);
    expect(lines).toEqual([
      ['info', `tightened the permissions of the data dir ${data} from 0755 to 0700: it holds app config and KV stores`],
      ['info', `made 4 file(s) and folder(s) in ${data} private to this user (folders 0700, files 0600)`],
    ]);
    // The next start finds nothing to do.
    lines = [];
    expect(securePrivateDir(data, log)).toEqual([]);
    expect(lines).toEqual([]);
  });
});

describe('megabit.yaml with secrets', () => {
  const write = (text: string, m: number): string => {
    const file = join(root, 'megabit.yaml');
    writeFileSync(file, text);
    chmodSync(file, m);
    return file;
  };

  it('finds the secrets set in the file', () => {
    expect(
      secretKeys({ mqtt: { password: 'p', password_file: '/etc/x' }, homeassistant: { token: 't', url: 'http://ha' }, http: { auth_token: 'a' } }),
    ).toEqual(['mqtt.password', 'homeassistant.token', 'http.auth_token']);
    expect(secretKeys({ mqtt: { password: '' }, homeassistant: { enabled: true } })).toEqual([]);
  });

  it('warns, naming the file, the keys and the fix, when others or the group can read it', () => {
    const file = write('homeassistant:\n  token: abc\nmqtt:\n  password: pw\n', 0o644);
    expect(warnIfSecretsReadable(file, log)).toBe(
      `${file} holds homeassistant.token, mqtt.password and every user of this machine can read it (mode 0644): run "chmod 600 ${file}"`,
    );
    expect(lines.map(([level]) => level)).toEqual(['warn']);
    chmodSync(file, 0o640);
    expect(warnIfSecretsReadable(file, log)).toMatch(/and its group can read it \(mode 0640\)/);
  });

  it('says nothing when the file is private or holds no secret', () => {
    expect(warnIfSecretsReadable(write('homeassistant:\n  token: abc\n', 0o600), log)).toBeUndefined();
    expect(warnIfSecretsReadable(write('log_level: debug\n', 0o644), log)).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
