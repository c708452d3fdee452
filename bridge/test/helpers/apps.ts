/** Temporary data dirs, tiny Wasm modules and app folders for the app store tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppManifest } from '@megabit/contract';

/** A valid Wasm module: the header plus one custom section named "megabit" holding `payload`. */
export function wasmModule(payload: Uint8Array | string = ''): Uint8Array {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const name = Buffer.from('megabit');
  const body = Buffer.concat([leb128(name.length), name, data]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x00]), leb128(body.length), body]));
}

function leb128(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (n !== 0);
  return Buffer.from(bytes);
}

export function manifestFor(id: string, extra: Partial<AppManifest> = {}): AppManifest {
  return { id, name: `App ${id}`, version: '1.0.0', bin: `${id}.wasm`, refresh_period_ms: 1000, ...extra };
}

/** Writes an app folder by hand, as a user copying files would. */
export function writeAppFolder(appsDir: string, folder: string, manifest: unknown, files: Record<string, Uint8Array | string> = {}): string {
  const dir = join(appsDir, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return dir;
}

export interface TempDataDir {
  dataDir: string;
  appsDir: string;
  cleanup(): void;
}

export function tempDataDir(): TempDataDir {
  const dataDir = mkdtempSync(join(tmpdir(), 'megabit-apps-'));
  return { dataDir, appsDir: join(dataDir, 'apps'), cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** A logger that keeps its lines for assertions. */
export const acceptAll = async (): Promise<void> => undefined;
