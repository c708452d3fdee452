/** Reads the PEM files that TLS settings name (certificates, keys, CAs). */
import { readFileSync } from 'node:fs';

/** One PEM file named by `setting`; a missing or unreadable file is an error naming both. */
export function readPemFile(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`${setting}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
