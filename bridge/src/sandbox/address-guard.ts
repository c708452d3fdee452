/**
 * Keeps apps off the local network: every address an app's request connects to is checked after
 * DNS resolution, and the connection goes to exactly the address checked (the lookup below is the
 * one the socket uses, so no second lookup can answer differently). Hosts the user names in
 * `sandbox.allow_private_hosts` may resolve to local addresses.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { HttpDenied } from './http-permission';
import { nonPublicReason } from './private-address';

/** A name resolver with dns.lookup's `all: true` shape (a test can answer what it likes). */
export type Resolver = (hostname: string, options: LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** `[::1]` and `::1` are the same host; names compare without case. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

export function allowedPrivately(allowPrivateHosts: readonly string[], hostname: string): boolean {
  const host = normalHost(hostname);
  return allowPrivateHosts.some((h) => normalHost(h) === host);
}

function refusal(hostname: string, address: string, why: string): string {
  const shown = address === normalHost(hostname) ? address : `${hostname} (${address})`;
  return `${shown} is a ${why} address, which apps may not reach unless megabit.yaml lists "${normalHost(hostname)}" under sandbox.allow_private_hosts`;
}

/**
 * For a URL host that is an IP address (no lookup happens for those): throws HttpDenied when it
 * is not public and not allowed. Names are left to the lookup.
 */
export function checkLiteralAddress(allowPrivateHosts: readonly string[], hostname: string): void {
  const address = normalHost(hostname);
  if (isIP(address) === 0 || allowedPrivately(allowPrivateHosts, hostname)) return;
  const why = nonPublicReason(address);
  if (why) throw new HttpDenied(`HTTP request refused: ${refusal(hostname, address, why)}`);
}

/** An error the socket reports as the request's cause; its message reaches the app's log. */
export class PrivateAddressError extends Error {
  readonly code = 'EMEGABITPRIVATE';
}

/**
 * A net.connect `lookup` that resolves with `resolver`, drops every non-public address (unless
 * the host is allowed) and fails when none is left.
 */
export function guardedLookup(allowPrivateHosts: readonly string[], resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const allowed = allowedPrivately(allowPrivateHosts, hostname);
      const usable = allowed ? addresses : addresses.filter((a) => nonPublicReason(a.address) === null);
      if (usable.length === 0) {
        const first = addresses[0];
        const message = first ? refusal(hostname, first.address, nonPublicReason(first.address) ?? 'unknown') : `${hostname} resolves to no address`;
        return callback(new PrivateAddressError(message), '', 0);
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}

/** The dispatcher an app's requests go through: pooled connections, each made by the guarded lookup. */
export function guardedAgent(allowPrivateHosts: readonly string[], resolver?: Resolver): Agent {
  // undici is the largest module the bridge would load at start, and most apps make no request:
  // it is loaded with the first request an app makes.
  const { Agent } = require('undici') as typeof import('undici');
  return new Agent({ connect: { lookup: guardedLookup(allowPrivateHosts, resolver) } });
}
