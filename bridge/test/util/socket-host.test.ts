/** socketHost: a URL's host as net.connect and tls.connect take it. */
import { socketHost } from '../../src/util/socket-host';

it.each([
  ['mqtt://[::1]:1883', '::1'],
  ['mqtts://[fd00::12]:8883', 'fd00::12'],
  ['mqtt://127.0.0.1:1883', '127.0.0.1'],
  ['mqtt://broker.lan', 'broker.lan'],
  ['wss://broker.lan/mqtt', 'broker.lan'],
])('%s → %s', (url, host) => {
  expect(socketHost(new URL(url))).toBe(host);
});
