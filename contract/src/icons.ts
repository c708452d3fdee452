/**
 * Icon uploads (`P/cmd/icons/<name>`, docs/icons.md): what a name may be and what a payload may
 * hold. The picture itself is checked and decoded by the bridge; the contract only tells the raw
 * image from its base64 text and an empty payload (a delete) from both.
 */
import { fail, ok, type Result } from './result';

/** Icon names become file names and topic levels: lower case, digits, `_` and `-`. */
export const ICON_NAME_PATTERN = /^[a-z0-9_-]{1,32}$/;
/** Largest PNG or GIF file an upload may hold. */
export const MAX_ICON_FILE_BYTES = 64 * 1024;
/** Largest `icons/<name>` payload: the file as base64 text (4 characters per 3 bytes), with room for line breaks. */
export const MAX_ICON_UPLOAD_BYTES = Math.ceil(MAX_ICON_FILE_BYTES / 3) * 4 + 4096;

export type IconFormat = 'png' | 'gif';

export type IconUpload = { image: Uint8Array; format: IconFormat } | { remove: true };

/** An icon's entry in `P/state/icons` and the reply to an upload. */
export interface IconInfo {
  name: string;
  width: number;
  height: number;
  frames: number;
  /** Shipped with Megabit (and not replaced by an upload on this device). */
  builtin: boolean;
}

export function isValidIconName(name: unknown): name is string {
  return typeof name === 'string' && ICON_NAME_PATTERN.test(name);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const GIF_MAGIC = [0x47, 0x49, 0x46, 0x38]; // "GIF8"

/** Which image format the bytes start with, by their magic bytes. */
export function iconFormatOf(bytes: Uint8Array): IconFormat | undefined {
  const startsWith = (magic: number[]): boolean => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (startsWith(PNG_MAGIC)) return 'png';
  if (startsWith(GIF_MAGIC)) return 'gif';
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Raw PNG or GIF bytes, or their base64 text; empty deletes the uploaded icon. */
export function parseIconUpload(payload: Uint8Array | string): Result<IconUpload> {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  if (bytes.length === 0) return ok({ remove: true });
  const raw = iconFormatOf(bytes);
  if (raw) return withinFileLimit(bytes, raw);
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, '');
  if (!BASE64.test(text) || text.length % 4 !== 0) return notAnImage();
  const decoded = base64Bytes(text);
  const format = iconFormatOf(decoded);
  return format ? withinFileLimit(decoded, format) : notAnImage();
}

function withinFileLimit(image: Uint8Array, format: IconFormat): Result<IconUpload> {
  if (image.length > MAX_ICON_FILE_BYTES)
    return fail('too_large', `the ${format.toUpperCase()} file is ${image.length} bytes; icons take at most ${MAX_ICON_FILE_BYTES}`);
  return ok({ image, format });
}

function notAnImage(): Result<IconUpload> {
  return fail('invalid_payload', 'payload is not a PNG or GIF file, raw or as base64 (an empty payload deletes the icon)');
}

/** Works in Node and in the browser (the contract runs in both). */
function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
