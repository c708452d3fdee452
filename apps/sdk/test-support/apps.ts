/**
 * Runs example apps in the bridge's real sandbox for tests: builds the app when its build/ is
 * missing or stale, then starts it with a fresh KV file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { validateManifest, type AppManifest } from '@megabit/contract';
import { loadBuiltInIcons, startApp, type AppInstance, type IconSource, type LogLevel } from 'megabit-bridge';

const BUILD_SCRIPT = join(__dirname, '..', 'bin', 'build-app.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isStale } = require(BUILD_SCRIPT) as { isStale(appDir: string): boolean };

/** Builds `appDir` unless build/ is up to date; a failed build fails the test with asc's output. */
export function ensureBuilt(appDir: string): void {
  if (!isStale(appDir)) return;
  // A child process: asc is an ES module, which jest's CommonJS runtime cannot import.
  execFileSync(process.execPath, [BUILD_SCRIPT, appDir], { stdio: 'pipe', timeout: 120_000 });
}

export interface BuiltApp {
  manifest: AppManifest;
  wasm: Uint8Array;
}

/** The installable folder the build produced: build/manifest.json and the module it names. */
export function loadBuilt(appDir: string): BuiltApp {
  ensureBuilt(appDir);
  const raw: unknown = JSON.parse(readFileSync(join(appDir, 'build', 'manifest.json'), 'utf8'));
  const checked = validateManifest(raw);
  if (!checked.ok) throw new Error(`build/manifest.json: ${checked.error.message}`);
  return { manifest: checked.value, wasm: new Uint8Array(readFileSync(join(appDir, 'build', checked.value.bin))) };
}

export interface RunOptions {
  config?: Record<string, unknown>;
  timeZone?: string;
  /** Reuse a KV file (to test persistence across restarts); a fresh one otherwise. */
  kvFile?: string;
  /** The icons `icon(name, x, y)` finds; the built-in set otherwise (uploads are the user's). */
  icons?: IconSource;
}

export interface TestApp {
  app: AppInstance;
  kvFile: string;
  logs: { level: LogLevel; message: string }[];
  /** Runs one tick and returns the frame, failing when the app drew nothing. */
  frame(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function startTestApp(appDir: string, options: RunOptions = {}): Promise<TestApp> {
  const { manifest, wasm } = loadBuilt(appDir);
  // A folder of our own only when the caller brings no KV file: it is removed on close.
  const kvFile = options.kvFile ?? join(mkdtempSync(join(tmpdir(), `megabit-app-${manifest.id}-`)), 'kv.json');
  const ownDir = options.kvFile ? undefined : dirname(kvFile);
  const logs: TestApp['logs'] = [];
  const app = await startApp({
    manifest,
    wasm,
    config: options.config ?? {},
    kvFile,
    kvQuotaBytes: manifest.permissions?.kv_bytes ?? 16 * 1024,
    // Generous: test machines are shared and slow; the limits themselves are the sandbox's tests.
    limits: { runTimeoutMs: 2000, setupTimeoutMs: 20_000, memoryBytes: 16 * 1024 * 1024, logLinesPerSecond: 1000 },
    timeZone: options.timeZone ?? 'UTC',
    // On the author's own machine the app gets what its manifest asks for, as if the user had
    // allowed it in megabit.yaml (local test servers and entities included).
    allowPrivateHosts: manifest.permissions?.network ?? [],
    homeAssistantAccess: manifest.permissions?.homeassistant ?? [],
    icons: options.icons ?? loadBuiltInIcons(),
    onLog: (level, message) => logs.push({ level, message }),
  });
  return {
    app,
    kvFile,
    logs,
    async frame() {
      const frame = await app.run();
      if (!frame) throw new Error(`${manifest.id} drew nothing in this tick`);
      return frame.slice();
    },
    async close() {
      await app.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
