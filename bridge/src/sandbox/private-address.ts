/**
 * Which IP addresses an app may not reach unless the user allows the host by name: everything
 * that is not the public internet (loopback, link-local, private, CGNAT, multicast, unspecified,
 * broadcast, reserved, documentation), in IPv4, IPv6 and the IPv6 forms that carry an IPv4
 * address inside (mapped, compatible, NAT64, 6to4) or hide one (Teredo).
 */
import { isIP } from 'node:net';

interface Range {
  /** The first address of the range, as bytes. */
  base: number[];
  bits: number;
  what: string;
}

const v4 = (a: number, b: number, c: number, d: number, bits: number, what: string): Range => ({ base: [a, b, c, d], bits, what });

/** IPv4 ranges that are not the public internet (RFC 6890 and friends). */
const V4_RANGES: Range[] = [
  v4(0, 0, 0, 0, 8, 'unspecified ("this network")'),
  v4(10, 0, 0, 0, 8, 'private'),
  v4(100, 64, 0, 0, 10, 'carrier-grade NAT'),
  v4(127, 0, 0, 0, 8, 'loopback'),
  v4(169, 254, 0, 0, 16, 'link-local'),
  v4(172, 16, 0, 0, 12, 'private'),
  v4(192, 0, 0, 0, 24, 'IETF protocol assignments'),
  v4(192, 0, 2, 0, 24, 'documentation'),
  v4(198, 51, 100, 0, 24, 'documentation'),
  v4(203, 0, 113, 0, 24, 'documentation'),
  v4(192, 168, 0, 0, 16, 'private'),
  v4(198, 18, 0, 0, 15, 'benchmarking'),
  v4(224, 0, 0, 0, 4, 'multicast'),
  v4(255, 255, 255, 255, 32, 'broadcast'),
  v4(240, 0, 0, 0, 4, 'reserved'),
];

const v6 = (hex: string, bits: number, what: string): Range => ({ base: v6Bytes(hex)!, bits, what });

const V6_RANGES = (): Range[] => [
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('fe80::', 10, 'link-local'),
  v6('fec0::', 10, 'site-local'),
  v6('fc00::', 7, 'unique local (private)'),
  v6('ff00::', 8, 'multicast'),
  v6('100::', 64, 'discard-only'),
  v6('2001:db8::', 32, 'documentation'),
  // Teredo tunnels hide the IPv4 address they lead to: none is an app's to reach.
  v6('2001::', 32, 'Teredo tunnel'),
  v6('::', 8, 'reserved'),
];
let v6Ranges: Range[] | undefined;

/** Prefixes whose last 32 bits are an IPv4 address that the packet ends up at. */
const EMBEDDED_V4 = (): Range[] => [
  v6('::ffff:0:0', 96, 'IPv4-mapped'),
  v6('::', 96, 'IPv4-compatible'),
  v6('64:ff9b::', 96, 'NAT64'),
  v6('::ffff:0:0:0', 96, 'IPv4-translated'),
];
let embeddedV4: Range[] | undefined;

function inRange(bytes: number[], range: Range): boolean {
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (range.base[i] & mask)) return false;
  }
  return true;
}

function v4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address in any textual form Node accepts, or null. */
function v6Bytes(text: string): number[] | null {
  let t = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  let tail: number[] = [];
  if (dotted) {
    tail = v4Bytes(dotted[1]);
    t = t.slice(0, -dotted[1].length);
    if (t.endsWith(':') && !t.endsWith('::')) t = t.slice(0, -1);
  }
  const groupsWanted = 8 - tail.length / 2;
  const [head, rest] = t.includes('::') ? t.split('::') : [t, undefined];
  const parse = (s: string | undefined): number[] =>
    s
      ? s
          .split(':')
          .filter((g) => g !== '')
          .map((g) => parseInt(g, 16))
      : [];
  const left = parse(head);
  const right = parse(rest);
  const fill = rest === undefined ? 0 : groupsWanted - left.length - right.length;
  const groups = [...left, ...new Array<number>(Math.max(0, fill)).fill(0), ...right];
  if (groups.length !== groupsWanted || groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff)) return null;
  return [...groups.flatMap((g) => [g >> 8, g & 0xff]), ...tail];
}

/**
 * Why `address` (an IP address in text, without brackets) is not a public internet address,
 * e.g. "loopback"; null when it is public. Anything that is not an IP address counts as not public.
 */
export function nonPublicReason(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return V4_RANGES.find((r) => inRange(v4Bytes(address), r))?.what ?? null;
  if (family !== 6) return 'not an IP address';
  const bytes = v6Bytes(address.toLowerCase());
  if (!bytes) return 'not an IP address';
  embeddedV4 ??= EMBEDDED_V4();
  for (const prefix of embeddedV4) {
    // ::/96 would also swallow :: and ::1 themselves; those are matched below as IPv6.
    if (!inRange(bytes, prefix) || (prefix.what === 'IPv4-compatible' && bytes.slice(12, 15).every((b) => b === 0) && bytes[15] <= 1)) continue;
    const inner = bytes.slice(12).join('.');
    const why = nonPublicReason(inner);
    return why && `${prefix.what} ${inner}, ${why}`;
  }
  // 6to4 (2002::/16) carries the IPv4 address it leads to in bytes 2-5.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    const inner = bytes.slice(2, 6).join('.');
    const why = nonPublicReason(inner);
    return why && `6to4 ${inner}, ${why}`;
  }
  v6Ranges ??= V6_RANGES();
  return v6Ranges.find((r) => inRange(bytes, r))?.what ?? null;
}
