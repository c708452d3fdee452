/**
 * Which web pages may open a WebSocket to the bridge. Browsers send the page's origin with every
 * WebSocket handshake, and a WebSocket is not bound by the same-origin rules that protect fetch:
 * without this check, any site a household member visits could drive the display and install
 * apps. Allowed: no Origin at all (not a browser: mosquitto_sub, Node-RED, Home Assistant), the
 * server's own origin, and the origins listed in `http.allowed_origins`.
 *
 * The "own origin" comes from the Host header, so it is trusted only for host names that cannot be
 * re-pointed by a stranger's DNS (DNS rebinding: evil.example resolving to 127.0.0.1 would make
 * every page of evil.example "same origin"): IP addresses, localhost and this machine's own name.
 * Any other name the page is reached by goes in `http.allowed_origins`.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { isValidHostHeader } from './request-target';

/** `scheme://host[:port]` as browsers send it (lower case, default port left out), or undefined. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.origin === 'null' || url.username || url.password || (url.pathname !== '/' && url.pathname !== '')) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export type OriginVerdict = { ok: true } | { ok: false; origin: string };

export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly machineNames: Set<string>;

  /** Throws with the offending entry when `allowedOrigins` holds something that is not an origin. */
  constructor(allowedOrigins: readonly string[], machineName = hostname()) {
    this.allowed = new Set(
      allowedOrigins.map((entry) => {
        const origin = normalizeOrigin(entry);
        if (origin === undefined) throw new Error(`http.allowed_origins: "${entry}" is not an origin like http://megabit.lan:8000`);
        return origin;
      }),
    );
    const short = machineName.toLowerCase().split('.')[0];
    this.machineNames = new Set(['localhost', machineName.toLowerCase(), short, `${short}.local`]);
  }

  /** `scheme` is the server's own: http for plain listeners, https for TLS ones. */
  check(req: IncomingMessage, scheme: 'http' | 'https'): OriginVerdict {
    const origin = req.headers.origin;
    if (origin === undefined) return { ok: true };
    const normalized = normalizeOrigin(origin);
    if (normalized !== undefined && this.allowed.has(normalized)) return { ok: true };
    const own = this.ownOrigin(req.headers.host, scheme);
    if (normalized !== undefined && own !== undefined && normalized === own) return { ok: true };
    return { ok: false, origin: origin.slice(0, 200) };
  }

  private ownOrigin(host: string | undefined, scheme: 'http' | 'https'): string | undefined {
    if (!isValidHostHeader(host)) return undefined;
    const origin = normalizeOrigin(`${scheme}://${host}`);
    if (origin === undefined) return undefined;
    const name = new URL(origin).hostname.replace(/^\[|\]$/g, '');
    const trusted = isIP(name) !== 0 || this.machineNames.has(name) || name.endsWith('.localhost');
    return trusted ? origin : undefined;
  }
}
