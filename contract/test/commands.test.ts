/**
 * The command descriptors: routing of command paths, paths built from route parameters, and
 * docs/mqtt-api.md's command and error tables, which must list exactly what the contract defines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CMD,
  COMMANDS,
  ERROR_CODES,
  MAX_COMMAND_BYTES,
  MAX_ICON_FILE_BYTES,
  MAX_ICON_UPLOAD_BYTES,
  MAX_INSTALL_BYTES,
  commandPath,
  parseCommand,
  routeCommand,
  type AppIdRequest,
  type ButtonEvent,
  type CommandName,
  type CommandParams,
  type CommandReply,
  type CommandRequest,
  type InstallRequest,
  type NotifyRequest,
} from '../src';

const NAMES = Object.keys(COMMANDS) as CommandName[];

describe('routeCommand', () => {
  it('finds every command by its own path', () => {
    for (const name of NAMES) {
      const path = commandPath(name, { appId: 'clock' } as never);
      expect(routeCommand(path)?.name).toBe(name);
    }
  });

  it('fills in route parameters, one non-empty level each', () => {
    expect(routeCommand('notify')).toEqual({ name: 'notify', params: {} });
    expect(routeCommand('apps/clock/config')).toEqual({ name: 'appConfig', params: { appId: 'clock' } });
    expect(routeCommand('apps/board/data')).toEqual({ name: 'appData', params: { appId: 'board' } });
    // Whatever the level holds: the bridge answers unknown_app for an id that is not installed.
    expect(routeCommand('apps/../data')).toEqual({ name: 'appData', params: { appId: '..' } });
    expect(routeCommand('apps//config')).toBeUndefined();
    expect(routeCommand('apps/a/b/data')).toBeUndefined();
    expect(routeCommand('reboot')).toBeUndefined();
    expect(routeCommand('notify/')).toBeUndefined();
    expect(routeCommand('')).toBeUndefined();
  });

  it('prefers a fixed path to a parameter', () => {
    expect(routeCommand('apps/preview/stop')).toEqual({ name: 'appsPreviewStop', params: {} });
    expect(routeCommand('apps/install')).toEqual({ name: 'appsInstall', params: {} });
  });
});

describe('command paths', () => {
  it("are the descriptors' paths, with route parameters filled in", () => {
    expect(CMD.notify).toBe('notify');
    expect(CMD.appsPreviewStop).toBe('apps/preview/stop');
    expect(CMD.appConfig({ appId: 'clock' })).toBe('apps/clock/config');
    expect(commandPath('appData', { appId: 'board' })).toBe('apps/board/data');
    expect(commandPath('rotation')).toBe('rotation');
  });
});

describe('descriptors', () => {
  it('take installs up to MAX_INSTALL_BYTES, icons as base64 up to MAX_ICON_UPLOAD_BYTES and everything else up to MAX_COMMAND_BYTES', () => {
    const big = NAMES.filter((n) => COMMANDS[n].maxBytes === MAX_INSTALL_BYTES).sort();
    expect(big).toEqual(['appsInstall', 'appsPreview']);
    expect(COMMANDS.icon.maxBytes).toBe(MAX_ICON_UPLOAD_BYTES);
    // Room for the largest icon file as base64, and no more than a command's usual limit needs.
    expect(MAX_ICON_UPLOAD_BYTES).toBeGreaterThanOrEqual((MAX_ICON_FILE_BYTES / 3) * 4);
    expect(NAMES.filter((n) => !big.includes(n) && n !== 'icon').every((n) => COMMANDS[n].maxBytes === MAX_COMMAND_BYTES)).toBe(true);
  });

  it("parse with the command's own parser", () => {
    expect(parseCommand('notify', 'Door open')).toEqual({ ok: true, value: { text: 'Door open' } });
    expect(parseCommand('display', '{"brightness":300}')).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(parseCommand('appData', 'any bytes')).toEqual({ ok: true, value: new TextEncoder().encode('any bytes') });
    const raw = Buffer.from([0xff, 0x00]);
    expect(parseCommand('appData', raw)).toEqual({ ok: true, value: raw });
  });

  it('type requests, replies and route parameters by command name', () => {
    // Compile-time checks (npm run typecheck): each line fails to compile if a type drifts.
    const notify: NotifyRequest = {} as CommandRequest<'notify'>;
    const notifyBack: CommandRequest<'notify'> = {} as NotifyRequest;
    const install: InstallRequest = {} as CommandRequest<'appsInstall'>;
    const app: AppIdRequest = {} as CommandRequest<'app'>;
    const button: ButtonEvent = {} as CommandRequest<'button'>;
    const data: Uint8Array = new Uint8Array() as CommandRequest<'appData'>;
    const reply: { id: string } = { id: 'x' } satisfies CommandReply<'notify'>;
    const shown: CommandReply<'appNext'> = { app: null };
    const params: CommandParams<'appConfig'> = { appId: 'clock' };
    const none: CommandParams<'notify'> = {};
    expect([notify, notifyBack, install, app, button, data, reply, shown, params, none]).toHaveLength(10);
  });
});

describe('docs/mqtt-api.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'mqtt-api.md'), 'utf8');
  /** The rows of the markdown table whose header line starts with `header`. */
  const table = (header: string): string[][] => {
    const start = doc.indexOf(`\n${header}`);
    expect(start).toBeGreaterThan(0);
    const lines = doc.slice(start + 1).split('\n');
    const rows = lines.slice(
      2,
      lines.findIndex((l, i) => i > 0 && !l.startsWith('|')),
    );
    return rows.map((r) => r.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/g, '').trim()));
  };
  const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  // The docs write a route parameter as `<id>`, the contract as `{appId}`.
  const documentedPath = (name: CommandName): string => COMMANDS[name].path.replace(/\{\w+\}/g, '<id>');

  it('lists every command, and no other, with its lane', () => {
    const rows = table('| path | lane |');
    const documented = rows.flatMap(([paths, lane]) => ticked(paths).map((path) => `${path} ${lane}`));
    const defined = NAMES.map((name) => `${documentedPath(name)} ${COMMANDS[name].lane}`);
    expect(documented.sort()).toEqual(defined.sort());
  });

  it('names the commands that take installs up to 8 MiB', () => {
    const tooLarge = table('| code | meaning |').find(([code]) => code === '`too_large`');
    expect(tooLarge?.[1]).toMatch(`${MAX_COMMAND_BYTES / 1024} KiB, ${MAX_INSTALL_BYTES / 1024 / 1024} MiB for`);
    const big = NAMES.filter((n) => COMMANDS[n].maxBytes === MAX_INSTALL_BYTES).map(documentedPath);
    expect(ticked(tooLarge![1]).sort()).toEqual(big.sort());
  });

  it('lists every error code, and no other', () => {
    const codes = table('| code | meaning |').map(([code]) => ticked(code)[0]);
    expect(codes).toEqual([...ERROR_CODES]);
  });
});
