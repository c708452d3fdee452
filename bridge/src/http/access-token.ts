/**
 * `http.auth_token`: a shared secret that guards the page, its files and /mqtt. It is accepted as
 * `Authorization: Bearer <token>`, as `?token=<token>`, or from the cookie the bridge sets once
 * either of those was right (the browser then sends it for the page's own files and WebSocket,
 * which carry no header or query of their own). Compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'megabit_token';

function digest(value: string): Buffer {
  // Equal-length digests: timingSafeEqual needs equal lengths, and the length must not leak either.
  return createHash('sha256').update(value, 'utf8').digest();
}

export class AccessToken {
  private readonly expected: Buffer;

  constructor(private readonly token: string) {
    this.expected = digest(token);
  }

  /** Whether the request carries the token in any of the accepted places. */
  accepts(req: IncomingMessage, query: URLSearchParams): boolean {
    const candidates = [bearer(req.headers.authorization), query.get('token') ?? undefined, cookie(req.headers.cookie, TOKEN_COOKIE)];
    // Every candidate is compared, so the time taken does not say which one was present.
    let ok = false;
    for (const candidate of candidates) if (candidate !== undefined && timingSafeEqual(digest(candidate), this.expected)) ok = true;
    return ok;
  }

  /** The cookie that lets the page's own later requests through; HttpOnly, this site only. */
  setCookie(secure: boolean): string {
    return `${TOKEN_COOKIE}=${encodeURIComponent(this.token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }
}

function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
