/**
 * The resident memory of a program run by qemu-user, without qemu's own: what the same program
 * would have resident on a CPU that runs it natively, as far as the host's kernel can tell.
 *
 * qemu-user maps every guest mapping into its own address space at host address = guest address
 * + guest_base, so the host's /proc/<qemu pid>/smaps holds the guest's pages beside qemu's (its
 * static binary, its malloc heap, its translated-code buffer, host thread stacks). Which ranges are
 * the guest's only the guest can say: qemu emulates the guest's /proc/self/maps from its own page
 * table, listing guest mappings only. A preload (guest-maps-probe.js, `--require`d by the guest
 * Node) writes that list on SIGUSR2; here it is intersected with the host's smaps, and the resident
 * pages inside it are counted: whole mappings by their Rss line, mappings the guest ranges cover
 * only in part page by page from /proc/<pid>/pagemap (bit 63: present).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { guestMapsFile } from './guest-maps-probe';
import { BENCH_DIR } from './paths';
import { waitFor } from './processes';

/** The preload that writes the guest's own view: guest-maps-probe.ts compiled (bench/test runs the sources, the guest needs JavaScript). */
export const GUEST_MAPS_PROBE = join(BENCH_DIR, 'dist', 'lib', 'guest-maps-probe.js');

export interface Mapping {
  start: number;
  end: number;
  offset: number;
  path: string;
}

/** One line of /proc/<pid>/maps (or a mapping header of smaps): range, perms, offset, dev, inode, path. */
const MAPPING = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \S+\s*(.*)$/;

/** Addresses stay below 2^48 on x86_64 and AArch64 user space: exact as JavaScript numbers. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = MAPPING.exec(line);
    if (m) out.push({ start: Number.parseInt(m[1], 16), end: Number.parseInt(m[2], 16), offset: Number.parseInt(m[3], 16), path: m[4] });
  }
  return out;
}

/**
 * guest_base: the shift under which the guest's file mappings land on the host's mappings of the
 * same files at the same offsets. Each pairing of a guest file mapping with a host one proposes a
 * shift; the one that places the most guest file mappings exactly (start, file, offset) wins, and it
 * must place nearly all of them, or the two views are not of one process and nothing can be summed.
 */
export function guestBase(guest: Mapping[], host: Mapping[]): number {
  const files = guest.filter((m) => m.path.startsWith('/'));
  const hostAt = new Map(host.map((m) => [m.start, m]));
  const placed = (base: number): number =>
    files.filter((g) => {
      const h = hostAt.get(g.start + base);
      return h !== undefined && h.path === g.path && h.offset === g.offset;
    }).length;
  const candidates = new Set<number>();
  for (const g of files) for (const h of host) if (h.path === g.path && h.offset === g.offset) candidates.add(h.start - g.start);
  let best: { base: number; placed: number } | undefined;
  for (const base of candidates) {
    const n = placed(base);
    if (!best || n > best.placed) best = { base, placed: n };
  }
  if (!best || best.placed < MIN_PLACED * files.length) {
    throw new Error(`guest_base: no shift places the guest's ${files.length} file mappings on the host's (best: ${best?.placed ?? 0})`);
  }
  return best.base;
}

/** Share of the guest's file mappings that guest_base must place exactly. */
const MIN_PLACED = 0.9;

/** Where the guest's resident pages are, in MB, by what backs them (as memory-map.ts for a native process). */
export interface GuestMemory {
  /** Resident pages inside the guest's mappings. */
  guest_mb: number;
  guest_node_binary_mb: number;
  guest_shared_libraries_mb: number;
  guest_private_mb: number;
  /** The qemu process's VmRSS, guest and emulator: what `ps` shows. */
  qemu_process_mb: number;
  guest_base: number;
}

const PAGE = 4096;
const SHARED_LIBRARY = /\.so(\.|$)/;

/** Pages of [start, end) present in `pid`'s page table, from /proc/<pid>/pagemap (8 bytes a page, bit 63: present). */
function presentPages(fd: number, start: number, end: number): number {
  const pages = (end - start) / PAGE;
  const buffer = Buffer.alloc(Math.min(pages, 65536) * 8);
  let present = 0;
  for (let done = 0; done < pages; ) {
    const n = Math.min(pages - done, buffer.length / 8);
    const read = readSync(fd, buffer, 0, n * 8, (start / PAGE + done) * 8);
    for (let i = 0; i < read / 8; i++) if (buffer.readBigUInt64LE(i * 8) >> 63n) present++;
    done += n;
  }
  return present;
}

/** Guest ranges in host addresses, sorted and merged. */
function hostRanges(guest: Mapping[], base: number): Array<[number, number]> {
  const sorted = guest.map((g): [number, number] => [g.start + base, g.end + base]).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return merged;
}

/** Sums the resident pages of host process `pid` that lie in the guest's `maps` (its /proc/self/maps text). */
export function guestMemory(pid: number, guestMapsText: string, guestExecutable: string): GuestMemory {
  const guest = parseMaps(guestMapsText);
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
  const host = parseMaps(smaps.join('\n'));
  const base = guestBase(guest, host);
  const ranges = hostRanges(guest, base);
  const kb = { binary: 0, libraries: 0, private: 0 };
  const pagemap = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    let vma: Mapping | undefined;
    for (const line of smaps) {
      const header = MAPPING.exec(line);
      if (header) {
        vma = parseMaps(line)[0];
        continue;
      }
      if (!vma || !line.startsWith('Rss:')) continue;
      const rssKb = Number(line.split(/\s+/)[1]);
      if (rssKb === 0) continue;
      const kind = vma.path === guestExecutable ? 'binary' : SHARED_LIBRARY.test(vma.path) ? 'libraries' : 'private';
      for (const [start, end] of ranges) {
        const from = Math.max(start, vma.start);
        const to = Math.min(end, vma.end);
        if (from >= to) continue;
        kb[kind] += from === vma.start && to === vma.end ? rssKb : (presentPages(pagemap, from, to) * PAGE) / 1024;
      }
    }
  } finally {
    closeSync(pagemap);
  }
  const vmRss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return {
    guest_mb: (kb.binary + kb.libraries + kb.private) / 1024,
    guest_node_binary_mb: kb.binary / 1024,
    guest_shared_libraries_mb: kb.libraries / 1024,
    guest_private_mb: kb.private / 1024,
    qemu_process_mb: Number(vmRss?.[1] ?? Number.NaN) / 1024,
    guest_base: base,
  };
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/** What the probe wrote: the guest's /proc/self/maps and its process.execPath. */
interface GuestView {
  execPath: string;
  maps: string;
}

/**
 * Asks the guest for its view (SIGUSR2 to the qemu process, which delivers it to the guest),
 * waits for the probe's file, and counts at once: mappings the guest makes in between are
 * missed, which is why the figure is taken on a settled process.
 */
export async function sampleGuestMemory(pid: number, timeoutMs = 60_000): Promise<GuestMemory> {
  const probeOut = guestMapsFile(pid);
  rmSync(probeOut, { force: true });
  process.kill(pid, 'SIGUSR2');
  // A process gone (SIGUSR2 before the probe was loaded ends a Node process) will never answer.
  await waitFor(
    () => existsSync(probeOut) || (isGone(pid) && fail(`pid ${pid} ended before it wrote its maps (was the probe loaded?)`)),
    `the guest's maps from pid ${pid}`,
    timeoutMs,
  );
  const view = JSON.parse(readFileSync(probeOut, 'utf8')) as GuestView;
  rmSync(probeOut, { force: true });
  return guestMemory(pid, view.maps, view.execPath);
}
