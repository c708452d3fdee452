/**
 * The host of a URL as a socket address takes it: a URL keeps an IPv6 address in brackets
 * (`mqtt://[::1]:1883`), `net.connect` and `tls.connect` want it without.
 */
export function socketHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
