/**
 * The C library's malloc settings the bridge's service runs with, as `GLIBC_TUNABLES` (the
 * systemd unit's `Environment=`; the bench's footprint runs the bridge the same way). glibc reads
 * them only when a process starts, so the bridge cannot set them for itself.
 *
 * Why: glibc serves a block of 128 KiB and more from a mapping of its own, returned at its free,
 * but each time such a block is freed it raises that threshold to the block's size (up to
 * 32 MiB) and its trim threshold to twice that, so later large blocks come from the arenas,
 * whose pages stay after the free. The rotation allocates and frees large blocks all the time
 * (an app's start and close in its worker thread). With the threshold fixed, and at 32 KiB,
 * those pages go back at each free: six apps rotating held about 3 MB less
 * (docs/performance.md, section 4, sixth round). Other C libraries ignore the variable.
 */
export const GLIBC_TUNABLES = 'glibc.malloc.mmap_threshold=32768';
