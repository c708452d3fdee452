/** Data dirs prepared by hand: app folders written before the bridge starts, as a user copies them. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppManifest } from '@megabit/contract';

export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'megabit-reliability-'));
  mkdirSync(join(dir, 'apps'));
  return dir;
}

export function writeApp(dataDir: string, manifest: AppManifest, wasm: Uint8Array): void {
  const dir = join(dataDir, 'apps', manifest.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, manifest.bin), wasm);
}
