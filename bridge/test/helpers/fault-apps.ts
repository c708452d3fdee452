/**
 * The apps the reliability tests install: the sandbox tests' probe app (commands through its
 * inbox, results in its log) and the misbehaving app of fixtures/sandbox/assembly/faulty.ts. Both are compiled at
 * test time and cached by source + compiler version, like the probe; nothing compiled is committed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { AppManifest } from '@megabit/contract';
import { uleb } from './sandbox/wasm-builder';

export { buildProbeApp } from './sandbox/probe-app';

/** How the faulty app misbehaves on every run(); `calm` is its well-behaved twin. */
export type FaultMode = 'loop' | 'trap' | 'memory' | 'kv' | 'log' | 'calm';

const FAULTY_SOURCE = join(__dirname, '..', 'fixtures', 'sandbox', 'assembly', 'faulty.ts');

export async function buildFaultyApp(): Promise<Uint8Array> {
  const ascPackage = require.resolve('assemblyscript/package.json');
  const ascVersion = (JSON.parse(readFileSync(ascPackage, 'utf8')) as { version: string }).version;
  const source = readFileSync(FAULTY_SOURCE);
  const key = createHash('sha256').update(source).update(ascVersion).digest('hex').slice(0, 16);
  const cacheDir = join(tmpdir(), 'megabit-reliability-fixtures');
  const cached = join(cacheDir, `faulty-${key}.wasm`);
  if (existsSync(cached)) return new Uint8Array(readFileSync(cached));

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'build-'));
  try {
    copyFileSync(FAULTY_SOURCE, join(work, 'faulty.ts'));
    const asc = join(dirname(ascPackage), 'bin', 'asc.js');
    await promisify(execFile)(
      process.execPath,
      [asc, 'faulty.ts', '--outFile', 'faulty.wasm', '--use', 'abort=faulty/faultyAbort', '-O2', '--runtime', 'stub', '--noAssert'],
      { cwd: work, timeout: 120_000 },
    );
    renameSync(join(work, 'faulty.wasm'), cached);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return new Uint8Array(readFileSync(cached));
}

/** The faulty app under `id`, misbehaving as `mode` (its config schema's default). */
export function faultyManifest(id: string, mode: FaultMode, extra: Partial<AppManifest> = {}): AppManifest {
  return {
    id,
    name: `Faulty ${mode}`,
    version: '1.0.0',
    bin: 'faulty.wasm',
    refresh_period_ms: 20,
    config: { type: 'object', properties: { mode: { type: 'string', default: mode } }, additionalProperties: false },
    ...extra,
  };
}

export function probeManifest(id: string, extra: Partial<AppManifest> = {}): AppManifest {
  return { id, name: `Probe ${id}`, version: '1.0.0', bin: 'probe.wasm', refresh_period_ms: 100, ...extra };
}

function customSection(name: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(uleb(Buffer.byteLength(name))), Buffer.from(name), data]);
  return Buffer.concat([Buffer.from([0x00, ...uleb(body.length)]), body]);
}

/**
 * `wasm` with a custom section named "megabit-test" holding `tag` appended: a distinct module of
 * the same behaviour, so the bytes on disk tell which version was installed. `paddingBytes` more
 * go in a section of their own before it, to make the module as large as wanted.
 */
export function tagged(wasm: Uint8Array, tag: string, paddingBytes = 0): Uint8Array {
  const padding = paddingBytes > 0 ? customSection('megabit-padding', new Uint8Array(paddingBytes)) : Buffer.alloc(0);
  return new Uint8Array(Buffer.concat([Buffer.from(wasm), padding, customSection('megabit-test', Buffer.from(tag))]));
}

/** The tag `tagged` put into a module, or undefined. */
export function tagOf(wasm: Uint8Array): string | undefined {
  const marker = Buffer.from('megabit-test');
  const bytes = Buffer.from(wasm);
  const at = bytes.lastIndexOf(marker);
  return at < 0 ? undefined : bytes.subarray(at + marker.length).toString();
}

/** The `P/cmd/apps/install` payload. */
export function installRequest(manifest: AppManifest, wasm: Uint8Array): Record<string, unknown> {
  return { manifest, wasm: Buffer.from(wasm).toString('base64') };
}
