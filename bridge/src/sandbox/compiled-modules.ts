/**
 * App modules compiled once on the bridge's main thread and handed to each app worker as a
 * compiled `WebAssembly.Module` (a worker receives the compiled code, not bytes to compile).
 *
 * Why not compile in each worker, as the sandbox did: the rotation starts a worker about every
 * second, and on Node 20 each worker that compiled its module left native memory behind when it
 * exited: its isolate's statistics counters (V8's `Counters`, ~30 KB, from
 * `Isolate::InitializeCounters`) stayed allocated after the isolate was gone, held inside V8
 * (heaptrack: all 151 alive after 150 app starts; with the module compiled here, 93 of 151). A
 * module compiled here belongs to the main isolate, which lives as long as the bridge. It also spares
 * every app switch a compile, and a worker gets the code V8 optimised for earlier runs.
 * docs/performance.md, section 10, has the measurements and what is left.
 */
import { createHash } from 'node:crypto';
import { Wasm, type WasmModule } from './wasm-api';

/** How many distinct modules stay compiled: the installed apps' current versions, with room for updates. */
export const COMPILED_MODULES_KEPT = 32;

export class CompiledModules {
  /** By the SHA-256 of the bytes, least recently used first (a Map keeps insertion order). */
  private readonly modules = new Map<string, Promise<WasmModule>>();

  constructor(private readonly capacity = COMPILED_MODULES_KEPT) {}

  /** The compiled module for these bytes; a failed compile is not kept, so the same bytes fail again the same way. */
  compile(wasm: Uint8Array): Promise<WasmModule> {
    const key = createHash('sha256').update(wasm).digest('hex');
    const known = this.modules.get(key);
    if (known) {
      this.modules.delete(key);
      this.modules.set(key, known);
      return known;
    }
    const compiled = Wasm.compile(wasm);
    this.modules.set(key, compiled);
    compiled.catch(() => {
      if (this.modules.get(key) === compiled) this.modules.delete(key);
    });
    for (const oldest of this.modules.keys()) {
      if (this.modules.size <= this.capacity) break;
      this.modules.delete(oldest);
    }
    return compiled;
  }

  /** How many modules are kept compiled (for tests). */
  get size(): number {
    return this.modules.size;
  }
}
