/** Reads firmware/protocol/vectors.txt (format: docs/serial-protocol.md §8). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VECTORS_PATH = join(__dirname, '../../../../firmware/protocol/vectors.txt');

export interface Vector {
  name: string;
  kind: string;
  /** Message name and fields with camelCase keys, values as JS values; undefined for rejects. */
  fields?: { name: string; values: Record<string, number | string | Uint8Array | number[]> };
  wire: Uint8Array;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/[0-9a-f]{2}/gi) ?? [], (h) => parseInt(h, 16));
}

function parseValue(raw: string): number | string | Uint8Array | number[] {
  if (raw.startsWith('0x')) return hexBytes(raw.slice(2));
  if (raw.startsWith('"')) return raw.slice(1, -1);
  if (raw.includes(',')) return raw.split(',').map(Number);
  return Number(raw);
}

export function readVectors(): Vector[] {
  return readFileSync(VECTORS_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name, kind, fields, wire] = line.split('|').map((part) => part.trim());
      if (wire === undefined) throw new Error(`malformed vector line: ${line.slice(0, 60)}`);
      const vector: Vector = { name, kind, wire: hexBytes(wire) };
      if (kind === 'ok') {
        const [message, ...pairs] = fields.split(' ');
        const values: Record<string, number | string | Uint8Array | number[]> = {};
        for (const pair of pairs) {
          const eq = pair.indexOf('=');
          values[camel(pair.slice(0, eq))] = parseValue(pair.slice(eq + 1));
        }
        vector.fields = { name: message, values };
      }
      return vector;
    });
}
