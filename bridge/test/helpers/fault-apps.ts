/**
 * The apps the reliability tests install: the sandbox tests' probe app (commands through its
 * inbox, results in its log) and the misbehaving app of fixtures/sandbox/assembly/faulty.ts. Both are compiled at
 * test time and cached (helpers/sandbox/compiled-fixture.ts); nothing compiled is committed.
 */
import type { AppManifest } from '@megabit/contract';
import { compiledFixture } from './sandbox/compiled-fixture';
import { uleb } from './sandbox/wasm-builder';

export { buildProbeApp } from './sandbox/probe-app';

/** How the faulty app misbehaves on every run(); `calm` is its well-behaved twin. */
export type FaultMode = 'loop' | 'trap' | 'memory' | 'kv' | 'log' | 'calm';

export function buildFaultyApp(): Promise<Uint8Array> {
  return compiledFixture('faulty', 'faultyAbort');
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
