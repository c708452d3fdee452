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
 *
 * What a kept module costs: V8 keeps its module data and every function compiled for it, by
 * whichever worker ran it (the code is shared), for as long as the module is kept: ~0.4 times its
 * bytes before it runs, about 2 to 4 times once it ran (docs/performance.md, section 10). So the cache is bounded by bytes
 * as well as by count, and a module goes as soon as nothing needs it:
 * - a holder (an installed app, named by its owner) keeps one module, its current version; a
 *   holder given other bytes, or let go, drops its old module unless another holder has it;
 * - a module in use (leased by a running app) is never dropped: its worker keeps the code alive
 *   anyway, and dropping it would only cost a compile at its next start;
 * - over a bound, the least recently used module goes first, one no holder has before a held one.
 */
import { createHash } from 'node:crypto';
import { Wasm, type WasmModule } from './wasm-api';

/** How many distinct modules stay compiled: the installed apps' current versions, with room for updates. */
export const COMPILED_MODULES_KEPT = 32;
/**
 * Bytes of Wasm kept compiled: four apps at the 8 MiB install limit. Measured on Node 20 (x64),
 * an 8 MiB module costs ~3 MiB compiled (lazily: validated, no code yet), ~15 MiB once all its
 * functions ran (Liftoff), ~16 MiB with all of them optimised (TurboFan); the example apps
 * (27-72 KiB) 0.04-0.06 MiB compiled, 0.1-0.2 MiB with all their code. So this keeps ~60 MiB
 * of native code once those four ran (~120 MiB with both tiers' code kept), and the count bound,
 * not this one, limits apps of the usual size (32 of them take ~2 MiB of bytes).
 */
export const COMPILED_BYTES_KEPT = 32 * 1024 * 1024;

export interface CompiledModuleLimits {
  /** At most this many modules. */
  count: number;
  /** At most this many bytes of Wasm (the modules' sizes). */
  bytes: number;
}

/** A module handed out to a running app: kept compiled until `end()`. */
export interface ModuleLease {
  readonly module: Promise<WasmModule>;
  /** The app is done with the module; a second call does nothing. */
  end(): void;
}

interface Entry {
  readonly key: string;
  readonly bytes: number;
  readonly module: Promise<WasmModule>;
  readonly holders: Set<string>;
  /** Running apps using it (open leases). */
  uses: number;
  /** It had a holder once: with none left and no use, nothing will ask for it again. */
  wasHeld: boolean;
}

export class CompiledModules {
  /** By the SHA-256 of the bytes, least recently used first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  /** Each holder's module (its key). */
  private readonly heldBy = new Map<string, string>();
  private keptBytes = 0;

  constructor(private readonly limits: CompiledModuleLimits = { count: COMPILED_MODULES_KEPT, bytes: COMPILED_BYTES_KEPT }) {}

  /**
   * The compiled module for these bytes, not leased (kept only as the bounds allow); with a
   * holder, that holder's module from now on. A failed compile is not kept, so the same bytes
   * fail again the same way. The bridge's apps take a lease instead (startApp); this is the way
   * in for a caller that uses the module at once or not at all (the cache's own tests).
   */
  compile(wasm: Uint8Array, holder?: string): Promise<WasmModule> {
    const entry = this.entryFor(wasm, holder);
    // Not the module just asked for: its caller is about to use it, so the bounds are met again
    // at the next call.
    this.trim(entry);
    return entry.module;
  }

  /** The compiled module for these bytes, kept until the lease ends (see compile for the holder). */
  lease(wasm: Uint8Array, holder?: string): ModuleLease {
    const entry = this.entryFor(wasm, holder);
    entry.uses++;
    this.trim();
    let ended = false;
    return {
      module: entry.module,
      end: () => {
        if (ended) return;
        ended = true;
        entry.uses--;
        if (this.entries.get(entry.key) !== entry) return;
        this.dropIfUnneeded(entry);
        this.trim();
      },
    };
  }

  /**
   * Lets go of every holder named `${prefix}...` that is not in `kept` (apps removed): their
   * modules go unless another holder has them or an app runs them.
   */
  keepHolders(prefix: string, kept: ReadonlySet<string>): void {
    for (const holder of [...this.heldBy.keys()]) {
      if (holder.startsWith(prefix) && !kept.has(holder)) this.letGo(holder);
    }
  }

  /** The holder has no module any more: its module goes unless another holder has it or an app runs it. */
  letGo(holder: string): void {
    const key = this.heldBy.get(holder);
    if (key === undefined) return;
    this.heldBy.delete(holder);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.holders.delete(holder);
    this.dropIfUnneeded(entry);
  }

  /** How many modules are kept compiled (for tests and the soak). */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of Wasm kept compiled. */
  get bytes(): number {
    return this.keptBytes;
  }

  private entryFor(wasm: Uint8Array, holder: string | undefined): Entry {
    const key = createHash('sha256').update(wasm).digest('hex');
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = { key, bytes: wasm.length, module: Wasm.compile(wasm), holders: new Set(), uses: 0, wasHeld: false };
      this.entries.set(key, entry);
      this.keptBytes += entry.bytes;
      const compiled = entry;
      compiled.module.catch(() => {
        if (this.entries.get(key) === compiled) this.remove(compiled);
      });
    }
    if (holder !== undefined && this.heldBy.get(holder) !== key) {
      this.letGo(holder);
      this.heldBy.set(holder, key);
      entry.holders.add(holder);
      entry.wasHeld = true;
    }
    return entry;
  }

  /** A module whose holders all let go, and that no app runs, goes now. */
  private dropIfUnneeded(entry: Entry): void {
    if (entry.wasHeld && entry.holders.size === 0 && entry.uses === 0) this.remove(entry);
  }

  /** Over a bound: the least recently used module no app runs goes, an unheld one before a held one (never `spared`). */
  private trim(spared?: Entry): void {
    const over = (): boolean => this.entries.size > this.limits.count || this.keptBytes > this.limits.bytes;
    for (const held of [false, true]) {
      for (const entry of [...this.entries.values()]) {
        if (!over()) return;
        const isHeld = entry.holders.size > 0;
        if (entry !== spared && entry.uses === 0 && isHeld === held) this.remove(entry);
      }
    }
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.key);
    this.keptBytes -= entry.bytes;
    for (const holder of entry.holders) this.heldBy.delete(holder);
  }
}

/** Every app's compiled module in this process, shared by its workers (see the top of this file). */
export const compiledModules = new CompiledModules();

/** How many app modules are kept compiled now: at most COMPILED_MODULES_KEPT, but for modules of running apps. */
export function compiledModuleCount(): number {
  return compiledModules.size;
}

/** Bytes of Wasm kept compiled now: at most COMPILED_BYTES_KEPT, but for modules of running apps. */
export function compiledModuleBytes(): number {
  return compiledModules.bytes;
}

/** Both, for the resource counts (diagnostics/resource-counts.ts). */
export function compiledModuleTotals(): { count: number; bytes: number } {
  return { count: compiledModules.size, bytes: compiledModules.bytes };
}

/**
 * The holders of one owner of installed apps (the Device): an app started with its holder
 * (SandboxOptions.moduleHolder) keeps its module compiled, one version, until the owner lets it
 * go. The sandbox knows nothing of where apps are installed: the owner says which apps remain.
 */
export class ModuleHolders {
  private static owners = 0;
  /** Each owner its own names, so two owners in one process (tests) never let go of each other's apps. */
  private readonly prefix = `${ModuleHolders.owners++}/`;

  /** The holder of an app, for SandboxOptions.moduleHolder. */
  of(appId: string): string {
    return this.prefix + appId;
  }

  /** These apps hold no module any more (files replaced on disk, an install refused): theirs go, unless a running app uses them. */
  release(appIds: Iterable<string>): void {
    for (const id of appIds) compiledModules.letGo(this.of(id));
  }

  /** Only these apps keep their modules: the others' go, unless a running app uses them. */
  keepOnly(appIds: Iterable<string>): void {
    compiledModules.keepHolders(this.prefix, new Set([...appIds].map((id) => this.of(id))));
  }
}
