/**
 * What one icon and the icon store may hold. Every limit is checked from the file's header or
 * its block structure before any pixel is decoded, so a small file cannot make the bridge
 * allocate much (a GIF whose header claims 65535x65535 is refused after reading 10 bytes).
 */
import { MAX_ICON_SIZE } from './icon';

export { MAX_ICON_SIZE };
/** Frames of one animated GIF. */
export const MAX_ICON_FRAMES = 64;
/** Decoded pixels of one icon, all frames together: the size and frame limits multiplied. */
export const MAX_ICON_PIXELS = MAX_ICON_SIZE * MAX_ICON_SIZE * MAX_ICON_FRAMES;
/** Uploaded icons kept on one device (built-ins not counted). */
export const MAX_UPLOADED_ICONS = 500;
/**
 * Decoded RGBA bytes of all uploaded icons together, kept in memory so drawing never waits for a
 * disk: 16 MiB is 1000 full-size animations of 4 frames, or 64 of the largest.
 */
export const MAX_STORED_ICON_BYTES = 16 * 1024 * 1024;
