/** The built example apps, loaded for the in-process sandbox the way the bridge loads them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppManifest } from '@megabit/contract';
import { type AppInstance, ConfigSchemas, type SandboxLimits, startApp } from 'megabit-bridge';
import { EXAMPLES } from './paths';

/** The production limits (bridge/src/config/schema.ts defaults), with room for a loaded machine. */
const LIMITS: SandboxLimits = { runTimeoutMs: 1000, setupTimeoutMs: 10_000, memoryBytes: 16 * 1024 * 1024, logLinesPerSecond: 20 };

function loadExample(id: string): { manifest: AppManifest; wasm: Uint8Array; config: Record<string, unknown> } {
  const dir = join(EXAMPLES, id, 'build');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as AppManifest;
  const resolved = new ConfigSchemas().resolve(id, manifest, {});
  if ('error' in resolved) throw new Error(`${id}: ${resolved.error}`);
  return { manifest, wasm: new Uint8Array(readFileSync(join(dir, manifest.bin))), config: resolved.config };
}

/** Time budgets for an emulated CPU (bench/arm.ts): many times as slow, on a machine that may be loaded. */
export const EMULATED_LIMITS: SandboxLimits = { ...LIMITS, runTimeoutMs: 20_000, setupTimeoutMs: 120_000 };

/** Starts the example in the real sandbox (its own worker thread); KV goes to `kvDir`. */
export function startExample(id: string, kvDir: string, limits: SandboxLimits = LIMITS): Promise<{ app: AppInstance; manifest: AppManifest }> {
  const { manifest, wasm, config } = loadExample(id);
  return startApp({
    manifest,
    wasm,
    config,
    kvFile: join(kvDir, `${id}.kv.json`),
    kvQuotaBytes: manifest.permissions?.kv_bytes ?? 16384,
    limits,
    timeZone: 'UTC',
    onLog: () => undefined,
  }).then((app) => ({ app, manifest }));
}
