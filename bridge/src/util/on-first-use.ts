/**
 * Node's TLS and HTTPS modules and the `ws` package, loaded when first used instead of when the
 * bridge starts. A bridge without TLS settings uses no TLS, and one that no web page or WebSocket
 * client has reached yet uses no `ws` (which loads both when it loads). Loaded at the start, the
 * three held about 1.5-3.5 MB of an idle bridge's RSS on Node 22 and 24, 0.5-1 MB on Node 20
 * (docs/performance.md, section 4). Their types come from `import type`, which loads nothing.
 * Node's `require` keeps each module once, so a call after the first costs a lookup.
 */

export function tlsModule(): typeof import('node:tls') {
  return require('node:tls') as typeof import('node:tls');
}

export function httpsModule(): typeof import('node:https') {
  return require('node:https') as typeof import('node:https');
}

export function wsModule(): typeof import('ws') {
  return require('ws') as typeof import('ws');
}
