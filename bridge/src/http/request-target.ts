/**
 * Reads what a request asks for without trusting it: the path (percent-decoded, dot segments
 * resolved), the query, and the Host header. Anything malformed is an answer of 400, never an
 * exception: one bad URL from any web page must not stop the bridge.
 */

export interface RequestTarget {
  /** Decoded, with `.` and `..` resolved; always starts with '/'. */
  pathname: string;
  query: URLSearchParams;
}

export type TargetResult = { ok: true; target: RequestTarget } | { ok: false; reason: string };

/** Parses the request line's target: origin-form (`/path?query`) or absolute-form (`http://host/path`). */
export function parseRequestTarget(raw: string | undefined): TargetResult {
  if (raw === undefined || raw.length === 0) return { ok: false, reason: 'no request target' };
  let url: URL;
  try {
    // Origin-form is put after a fixed base rather than resolved against it: `//other/x` must stay
    // a path, not become a request for host "other".
    url = raw.startsWith('/') ? new URL(`http://target${raw}`) : new URL(raw);
  } catch {
    return { ok: false, reason: 'malformed URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'unsupported URL scheme' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding in the path' };
  }
  // A NUL cuts a file name short in some layers and throws in others: never a valid page path.
  if (pathname.includes('\0')) return { ok: false, reason: 'NUL in the path' };
  return { ok: true, target: { pathname, query: url.searchParams } };
}

/** host[:port], with host a name, an IPv4 address or a bracketed IPv6 address. */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}))(?::(\d{1,5}))?$/;

/** True for a Host header that is a plain host[:port]: safe to use in an origin and a header. */
export function isValidHostHeader(host: string | undefined): host is string {
  if (host === undefined) return false;
  const m = HOST_HEADER.exec(host);
  return m !== null && (m[1] === undefined || Number(m[1]) <= 65535);
}
