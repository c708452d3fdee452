/**
 * `megabit app install <dir>` never installs a build older than its sources without a word: it
 * builds first (and installs nothing if that fails), or refuses when it cannot build. The app
 * folders build in a moment (helpers/quick-app-folder.ts): no compiler run is needed.
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppStatus } from '@megabit/contract';
import { BRIDGE_CLI, type RunningBridge, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { appSource, quickAppFolder } from '../helpers/quick-app-folder';
import { run } from '../helpers/run-tool';

jest.setTimeout(60_000);

/** An hour ago: a build made before the sources were saved. */
const EARLIER = new Date(Date.now() - 3_600_000);

describe('megabit app install of a folder whose sources changed since its build', () => {
  let bridge: RunningBridge;
  let client: TestClient;
  const workDir = mkdtempSync(join(tmpdir(), 'megabit-install-'));

  beforeAll(async () => {
    bridge = await startBridge({ settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
    await client.subscribe('megabit/megabit/state/apps');
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** An app folder built at `version`, its build made an hour ago. */
  async function appFolder(id: string, version: string, buildScript = true): Promise<string> {
    const dir = quickAppFolder(workDir, id, version);
    const built = await run('npm', ['run', '--silent', 'build'], { cwd: dir });
    expect(built.code).toBe(0);
    for (const file of ['manifest.json', 'app.wasm']) utimesSync(join(dir, 'build', file), EARLIER, EARLIER);
    if (!buildScript) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: id, private: true }));
    // Saved before the build: the build is current.
    const before = new Date(EARLIER.getTime() - 60_000);
    for (const path of ['manifest.json', 'assembly/index.ts', 'assembly']) utimesSync(join(dir, path), before, before);
    return dir;
  }

  const setSource = (dir: string, version: string, extra = ''): void => writeFileSync(join(dir, 'assembly', 'index.ts'), appSource(version, extra));
  const install = (dir: string) => run(process.execPath, [BRIDGE_CLI, 'app', 'install', dir, '--mqtt', bridge.mqttUrl]);
  const installedVersion = async (id: string): Promise<string | undefined> => {
    const apps = await client.waitFor('megabit/megabit/state/apps', (m) => (JSON.parse(m.payload.toString()) as AppStatus[]).some((a) => a.id === id), 30_000);
    return (JSON.parse(apps.payload.toString()) as AppStatus[]).find((a) => a.id === id)?.version;
  };

  it('installs a current build as it is, without building', async () => {
    const dir = await appFolder('current', '1.0.0');
    const result = await install(dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('building first');
    expect(result.stdout).toContain('installed current 1.0.0');
    expect(await installedVersion('current')).toBe('1.0.0');
  });

  it('builds first when a source was saved after the build, and installs the new build', async () => {
    const dir = await appFolder('edited', '1.0.0');
    setSource(dir, '1.0.1');
    const result = await install(dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${join('assembly', 'index.ts')} changed since the last build: building first`);
    expect(result.stdout).toContain('installed edited 1.0.1');
    expect(JSON.parse(readFileSync(join(dir, 'build', 'manifest.json'), 'utf8')).version).toBe('1.0.1');
    expect(await installedVersion('edited')).toBe('1.0.1');
  });

  it('installs nothing when that build fails, and shows why', async () => {
    const dir = await appFolder('broken', '1.0.0');
    expect((await install(dir)).code).toBe(0);
    setSource(dir, '1.0.1', 'syntax error here');
    const result = await install(dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('build failed:\nERROR TS1005: assembly/index.ts: ";" expected');
    expect(result.stderr).toBe(`megabit app: the build failed, so nothing was installed: fix what it says above (or run "npm run build" in ${dir})\n`);
    expect(result.stdout).not.toContain('installing');
    expect(await installedVersion('broken')).toBe('1.0.0');
  });

  it('refuses when the sources are newer and the folder has no build script', async () => {
    const dir = await appFolder('no-script', '1.0.0', false);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'no-script', name: 'renamed', version: '0.0.0', bin: 'app.wasm', refresh_period_ms: 1000 }));
    const result = await install(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `megabit app: manifest.json is newer than the build in ${join(dir, 'build')}, and package.json has no build script: build the app again, then install it\n`,
    );
  });
});
