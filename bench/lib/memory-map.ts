/**
 * Where a process's resident memory is, read from outside through /proc/<pid>/smaps: no probe
 * runs inside the bridge. Three kinds, by what backs the pages:
 * - the Node executable's own pages: V8's and Node's machine code, the built-in JavaScript
 *   modules' sources and the ICU data (time zones, date formats), all inside the binary; they
 *   count in RSS as soon as touched, and are shared with every other Node process;
 * - other shared libraries (libc, libstdc++, ...);
 * - private memory: the JavaScript heaps of the main thread and of each app's worker, malloc
 *   (Node's and V8's C++ objects, ICU's caches), thread stacks, compiled WebAssembly code, the
 *   apps' linear memories.
 */
import { readFileSync, readlinkSync } from 'node:fs';

export interface MemoryMap {
  node_binary_mb: number;
  shared_libraries_mb: number;
  private_mb: number;
}

/** A mapping's header line: address range, permissions, offset, device, inode, then its path if any. */
const MAPPING = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/;
const SHARED_LIBRARY = /\.so(\.|$)/;

export function memoryMap(pid: number): MemoryMap {
  const executable = readlinkSync(`/proc/${pid}/exe`);
  const kb = { binary: 0, libraries: 0, private: 0 };
  let kind: keyof typeof kb = 'private';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = MAPPING.exec(line);
    if (mapping) {
      const path = mapping[1];
      kind = path === executable ? 'binary' : SHARED_LIBRARY.test(path) ? 'libraries' : 'private';
      continue;
    }
    if (line.startsWith('Rss:')) kb[kind] += Number(line.split(/\s+/)[1]);
  }
  return { node_binary_mb: kb.binary / 1024, shared_libraries_mb: kb.libraries / 1024, private_mb: kb.private / 1024 };
}
