/**
 * Reads and checks one installed app folder (`apps/<id>/`). Never throws for a bad app: every
 * problem becomes a `failed` record whose error names the file and what is wrong with it.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { MAX_INSTALL_BYTES, jsonErrorPlace, validateManifest, type AppManifest } from '@megabit/contract';
import { errorMessage } from '../util/logger';
import type { ConfigSchemas } from './app-config';

export const MANIFEST_FILE = 'manifest.json';
export const KV_FILE = 'kv.json';
export const CONFIG_FILE = 'config.json';
/** Larger manifests are refused unread: a manifest is a few hundred bytes. */
export const MAX_MANIFEST_BYTES = 256 * 1024;
/** Stored configs are checked against MAX_COMMAND_BYTES when set; this only bounds a hand-edited file. */
const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** True when `bytes` starts with the header of a version-1 WebAssembly binary. */
export function hasWasmHeader(bytes: Uint8Array): boolean {
  return bytes.length >= WASM_HEADER.length && WASM_HEADER.every((b, i) => bytes[i] === b);
}

interface BaseRecord {
  id: string;
  dir: string;
  kvFile: string;
  configFile: string;
  /** Identity of the files the record was read from; a change means the folder must be re-read. */
  fingerprint: { files: string; config: string };
}

export type AppRecord = BaseRecord &
  (
    | { status: 'ok'; manifest: AppManifest; wasmPath: string; error?: undefined }
    | { status: 'failed'; error: string; manifest?: AppManifest; wasmPath?: string }
  );

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function stamp(stats: Stats | null): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}` : '-';
}

/**
 * Cheap identity of an app folder's files: `files` covers the manifest and the Wasm it names,
 * `config` the stored config. kv.json is left out: the sandbox rewrites it all the time.
 */
export function folderFingerprint(dir: string): { files: string; config: string } {
  const manifest = stamp(statOrNull(join(dir, MANIFEST_FILE)));
  let bin = '';
  try {
    const raw = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as { bin?: unknown };
    if (typeof raw.bin === 'string' && basename(raw.bin) === raw.bin) bin = stamp(statOrNull(join(dir, raw.bin)));
  } catch {
    // An unreadable manifest is reported by readAppFolder; its stamp alone identifies it here.
  }
  return { files: `${manifest}|${bin}`, config: stamp(statOrNull(join(dir, CONFIG_FILE))) };
}

function readJsonFile(path: string, maxBytes: number): { value: unknown } | { error: string } {
  const stats = statOrNull(path);
  if (!stats) return { error: 'is missing' };
  if (!stats.isFile()) return { error: 'is not a regular file' };
  if (stats.size > maxBytes) return { error: `is larger than ${maxBytes} bytes` };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { error: `cannot be read: ${errorMessage(e)}` };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: `is not valid JSON${jsonErrorPlace(text, e)}` };
  }
}

/** Opens the Wasm file and checks its header: missing, unreadable and half-written files fail here. */
function checkWasmFile(path: string): string | undefined {
  const stats = statOrNull(path);
  if (!stats) return 'is missing';
  if (!stats.isFile()) return 'is not a regular file';
  if (stats.size > MAX_INSTALL_BYTES) return `is larger than ${MAX_INSTALL_BYTES} bytes`;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const header = new Uint8Array(WASM_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    if (read < header.length || !hasWasmHeader(header)) return 'is not a WebAssembly module (bad or missing header)';
    return undefined;
  } catch (e) {
    return `cannot be read: ${errorMessage(e)}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads the stored config object of an app, or undefined when none is stored. */
export function readStoredConfig(configFile: string): { value?: Record<string, unknown> } | { error: string } {
  if (!statOrNull(configFile)) return {};
  const parsed = readJsonFile(configFile, MAX_CONFIG_FILE_BYTES);
  if ('error' in parsed) return parsed;
  const v = parsed.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'must hold a JSON object' };
  return { value: v as Record<string, unknown> };
}

/** Reads `apps/<id>/` (`id` already a valid id) and checks everything the app needs to run. */
export function readAppFolder(appsDir: string, id: string, schemas: ConfigSchemas): AppRecord {
  const dir = join(appsDir, id);
  const base: BaseRecord = {
    id,
    dir,
    kvFile: join(dir, KV_FILE),
    configFile: join(dir, CONFIG_FILE),
    fingerprint: folderFingerprint(dir),
  };
  const failed = (error: string, manifest?: AppManifest, wasmPath?: string): AppRecord => ({
    ...base,
    status: 'failed',
    error,
    ...(manifest ? { manifest } : {}),
    ...(wasmPath ? { wasmPath } : {}),
  });

  const manifestPath = join(dir, MANIFEST_FILE);
  const raw = readJsonFile(manifestPath, MAX_MANIFEST_BYTES);
  if ('error' in raw) return failed(`${manifestPath} ${raw.error}`);
  const checked = validateManifest(raw.value);
  if (!checked.ok) return failed(`${manifestPath}: ${checked.error.message}`);
  const manifest = checked.value;
  if (manifest.id !== id) {
    return failed(`${manifestPath}: "id" is "${manifest.id}" but the app folder is "${id}"; they must be equal`, manifest);
  }
  const wasmPath = join(dir, manifest.bin);
  const wasmProblem = checkWasmFile(wasmPath);
  if (wasmProblem) return failed(`${wasmPath} (the manifest's "bin") ${wasmProblem}`, manifest, wasmPath);
  const schemaProblem = schemas.prepare(id, manifest);
  if (schemaProblem) return failed(`${manifestPath}: ${schemaProblem}`, manifest, wasmPath);
  const stored = readStoredConfig(base.configFile);
  if ('error' in stored) return failed(`${base.configFile} ${stored.error}`, manifest, wasmPath);
  if (stored.value) {
    const configProblem = schemas.check(id, manifest, stored.value);
    if (configProblem) return failed(`${base.configFile}: ${configProblem}`, manifest, wasmPath);
  }
  return { ...base, status: 'ok', manifest, wasmPath };
}
