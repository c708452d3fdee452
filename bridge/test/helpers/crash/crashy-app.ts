/** Version n of the app the crash test upgrades: its size and its "bin" change with n. */
import type { AppManifest } from '@megabit/contract';
import { wasmModule } from '../apps';

export function crashyManifest(n: number): AppManifest {
  return { id: 'crashy', name: 'Crashy', version: `1.0.${n}`, bin: n % 2 === 0 ? 'even.wasm' : 'odd.wasm', refresh_period_ms: 1000 };
}

export function crashyWasm(n: number): Uint8Array {
  const size = 64 * 1024 + ((n * 7919) % (512 * 1024));
  return wasmModule(Buffer.alloc(size, n % 251));
}
