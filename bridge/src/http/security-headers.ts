/**
 * Headers on every answer that tell the browser to trust nothing but the page itself: scripts,
 * styles and connections from its own origin only (the WebSocket named explicitly, as ws:/wss:
 * are other schemes), never inside a frame of another site, no type sniffing, no Referer.
 */
import { isValidHostHeader } from './request-target';

export function securityHeaders(host: string | undefined, secure: boolean): Record<string, string> {
  // The page's MQTT connection goes to /mqtt on the host it was loaded from, and nowhere else:
  // a link with ?broker=ws://elsewhere cannot make the page send a login to another server.
  const ownSocket = isValidHostHeader(host) ? ` ${secure ? 'wss' : 'ws'}://${host}` : '';
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    // mqtt.js keeps its keepalive timer in a worker made from a blob (timers of background tabs
    // are throttled); only script already running on the page can make one.
    "worker-src 'self' blob:",
    "style-src 'self'",
    // data: for the empty favicon; blob: for recorded GIFs and saved PNGs shown before download.
    "img-src 'self' data: blob:",
    `connect-src 'self'${ownSocket}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // For browsers that predate frame-ancestors.
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}
