/**
 * What an app may ask of the network: Extism's `http_request`, limited to the hosts its manifest
 * lists under `permissions.network`. Used on both sides: the app's worker refuses a request
 * before it leaves the sandbox, the bridge checks every redirect hop again.
 */

/** An answer the bridge gives the guest; `error` when there is no HTTP answer to give. */
export type HttpReply = { status: number; body: Uint8Array } | { error: string };

export interface HttpRequestSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** A copy with its own buffer (it is transferred to the main thread). */
  body?: Uint8Array<ArrayBuffer>;
}

/** Responses are copied into the guest's memory: a cap keeps one reply from filling it. */
export const HTTP_MAX_RESPONSE_BYTES = 1024 * 1024;
export const HTTP_MAX_REDIRECTS = 5;

/** The app asked for something its manifest does not grant (or sent a request that is not one). */
export class HttpDenied extends Error {}

/** `*.example.com` covers every name under example.com, not example.com itself. */
export function hostGranted(patterns: readonly string[], hostname: string): boolean {
  const host = hostname.toLowerCase();
  return patterns.some((p) => (p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p));
}

/** Throws HttpDenied unless `url` is http(s) to a granted host. */
export function checkUrl(patterns: readonly string[], url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new HttpDenied(`HTTP request to ${JSON.stringify(url)} refused: not a URL`);
  }
  // The reason becomes the app's failure, published in P/state/apps: no query string or
  // credentials in it, they often carry API keys.
  const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new HttpDenied(`HTTP request to ${shown} refused: only http and https URLs are allowed`);
  }
  if (!hostGranted(patterns, parsed.hostname)) {
    const why = patterns.length === 0 ? 'the manifest grants no permissions.network' : `${parsed.hostname} is not in permissions.network`;
    throw new HttpDenied(`HTTP request to ${shown} refused: ${why}`);
  }
  return parsed;
}

/**
 * Reads Extism's request object (`{"url","method"?,"headers"?}`, as every PDK sends it) and
 * checks it against the grant; `body` is the request body block's bytes, if any.
 */
export function parseRequest(patterns: readonly string[], json: string, body: Uint8Array | null): HttpRequestSpec {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new HttpDenied('HTTP request refused: the request is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpDenied('HTTP request refused: the request is not a JSON object');
  const r = value as Record<string, unknown>;
  if (typeof r.url !== 'string') throw new HttpDenied('HTTP request refused: "url" is missing');
  checkUrl(patterns, r.url);
  const method = r.method === undefined ? 'GET' : r.method;
  if (typeof method !== 'string' || !/^[A-Za-z]{1,16}$/.test(method)) throw new HttpDenied('HTTP request refused: "method" must be an HTTP method name');
  // PDKs disagree on the key: the JS SDK reads both.
  const rawHeaders = r.headers ?? r.header ?? {};
  if (typeof rawHeaders !== 'object' || rawHeaders === null || Array.isArray(rawHeaders) || !Object.values(rawHeaders).every((v) => typeof v === 'string')) {
    throw new HttpDenied('HTTP request refused: "headers" must be an object of strings');
  }
  const upper = method.toUpperCase();
  const withBody = body !== null && upper !== 'GET' && upper !== 'HEAD';
  return { url: r.url, method: upper, headers: rawHeaders as Record<string, string>, ...(withBody ? { body: body.slice() } : {}) };
}
