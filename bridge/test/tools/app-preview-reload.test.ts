/**
 * `megabit app preview` against the real bridge, saved to the way editors save: the new source
 * written to a temporary file and renamed over the old one, several times. Every save rebuilds
 * and reloads the app (on Node 20 a recursive fs.watch saw only the first). The app folder builds
 * in a moment (helpers/quick-app-folder.ts), so each reload is quick.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRIDGE_CLI, type RunningBridge, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/mqtt-client';
import { waitUntil } from '../helpers/ports';
import { appSource, quickAppFolder } from '../helpers/quick-app-folder';

jest.setTimeout(120_000);

describe('megabit app preview with rename-replace saves', () => {
  let bridge: RunningBridge;
  let client: TestClient;
  const workDir = mkdtempSync(join(tmpdir(), 'megabit-preview-saves-'));

  beforeAll(async () => {
    bridge = await startBridge({ settings: { rotation: { enabled: false } } });
    client = await TestClient.connect(bridge.mqttUrl);
  });

  afterAll(async () => {
    await client?.close();
    await bridge?.dispose();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('rebuilds and reloads the app on every save, not only the first', async () => {
    const dir = quickAppFolder(workDir, 'saved', '1.0.0');
    const child = spawn(process.execPath, [BRIDGE_CLI, 'app', 'preview', dir, '--mqtt', bridge.mqttUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const shows = (): number => (output.match(/showing saved on megabit\/megabit/g) ?? []).length;
    try {
      await waitUntil(() => shows() === 1 || child.exitCode !== null, 'the first preview', 30_000);
      expect(shows()).toBe(1);
      const source = join(dir, 'assembly', 'index.ts');
      for (let save = 1; save <= 4; save++) {
        const temp = join(dir, 'assembly', `.index.ts.${save}.tmp`);
        writeFileSync(temp, appSource(`1.0.${save}`));
        renameSync(temp, source);
        await waitUntil(() => shows() === save + 1 || child.exitCode !== null, `the reload after save ${save}`, 30_000).catch((e: Error) => {
          throw new Error(`${e.message}; preview said:\n${output}`);
        });
        expect(shows()).toBe(save + 1);
      }
      expect((output.match(/change seen: rebuilding/g) ?? []).length).toBe(4);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(output).toContain('preview ended');
  });
});
