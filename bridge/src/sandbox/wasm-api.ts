/**
 * The slice of the JS WebAssembly API the sandbox uses, typed here because the bridge compiles
 * without the DOM lib (where TypeScript keeps these types) and must not pull it in globally.
 */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface ImportDescriptor {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface ExportDescriptor {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: {
    imports(module: WasmModule): ImportDescriptor[];
    exports(module: WasmModule): ExportDescriptor[];
  };
  Memory: abstract new (...args: never[]) => WasmMemory;
  RuntimeError: ErrorConstructor;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
