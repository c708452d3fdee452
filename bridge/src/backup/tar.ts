/**
 * The archive format of a backup: POSIX ustar, written and read here so that a backup needs no
 * native code and `tar tzf` can still list one. The writer writes regular files only; the reader
 * hands back every entry with its type, so the caller can refuse links and devices, and checks
 * each header's checksum so a damaged file is refused instead of half read.
 */

const BLOCK = 512;

/** ustar's field offsets and lengths (POSIX.1-1988). */
const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  type: [156, 1],
  magic: [257, 6],
  version: [263, 2],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export interface TarFile {
  path: string;
  data: Buffer;
}

/** What an entry is, from ustar's type flag: only `file` and `directory` are ever written here. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** The raw type flag, for messages about the `other` kinds. */
  flag: string;
  data: Buffer;
}

export class TarFormatError extends Error {}

function writeField(header: Buffer, [offset, length]: readonly [number, number], value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new TarFormatError(`"${value}" does not fit a tar header field of ${length} bytes`);
  bytes.copy(header, offset);
}

/** Octal, zero-padded, NUL-terminated: the form every tar reads. */
const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;

/** ustar keeps a path of up to 255 bytes as prefix + '/' + name, split at a slash. */
function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  throw new TarFormatError(`the path "${path}" is too long for a tar archive`);
}

function checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= FIELD.checksum[0] && i < FIELD.checksum[0] + FIELD.checksum[1] ? 0x20 : header[i];
  return sum;
}

function fileHeader(file: TarFile, mtime: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  const { prefix, name } = splitPath(file.path);
  writeField(header, FIELD.name, name);
  writeField(header, FIELD.mode, octal(0o600, 8));
  writeField(header, FIELD.uid, octal(0, 8));
  writeField(header, FIELD.gid, octal(0, 8));
  writeField(header, FIELD.size, octal(file.data.length, 12));
  writeField(header, FIELD.mtime, octal(mtime, 12));
  writeField(header, FIELD.type, '0');
  writeField(header, FIELD.magic, 'ustar\0');
  writeField(header, FIELD.version, '00');
  writeField(header, FIELD.prefix, prefix);
  writeField(header, FIELD.checksum, `${checksum(header).toString(8).padStart(6, '0')}\0 `);
  return header;
}

const padding = (length: number): Buffer => Buffer.alloc((BLOCK - (length % BLOCK)) % BLOCK);

/** A tar archive of `files`, in the order given. */
export function writeTar(files: readonly TarFile[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) parts.push(fileHeader(file, mtime), file.data, padding(file.data.length));
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function readString(header: Buffer, [offset, length]: readonly [number, number]): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(header: Buffer, field: readonly [number, number], what: string): number {
  // GNU tar's base-256 form (high bit set) is for files over 8 GiB: never in a backup.
  const text = readString(header, field).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`a tar header has a bad ${what} field`);
  return Number.parseInt(text, 8);
}

function entryType(flag: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '') return 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

/**
 * Every entry of a tar archive, in order. Stops at the end-of-archive block; refuses a damaged
 * header or an archive cut short.
 */
export function* readTar(archive: Buffer): Generator<TarEntry> {
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return;
    if (readOctal(header, FIELD.checksum, 'checksum') !== checksum(header)) throw new TarFormatError('a tar header is damaged (its checksum does not match)');
    const size = readOctal(header, FIELD.size, 'size');
    const name = readString(header, FIELD.name);
    // Only POSIX ustar has a prefix there; GNU's own format keeps other data in those bytes.
    const prefix = readString(header, FIELD.magic) === 'ustar' && readString(header, FIELD.version) === '00' ? readString(header, FIELD.prefix) : '';
    const flag = String.fromCharCode(header[FIELD.type[0]]).replace('\0', '');
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new TarFormatError('the archive is cut short');
    yield { path: prefix ? `${prefix}/${name}` : name, type: entryType(flag), flag, data: archive.subarray(start, start + size) };
    offset = start + size + padding(size).length;
  }
  throw new TarFormatError('the archive is cut short (no end-of-archive block)');
}
