/**
 * plainTcpAddress (mqtt/connection.ts): which broker URLs the bridge connects to over a TCP socket
 * of its own, and which it leaves to mqtt.js's `connect` (which loads every transport mqtt.js has).
 */
import { plainTcpAddress } from '../../src/mqtt/connection';

const NO_LOGIN = {};

it.each([
  ['mqtt://127.0.0.1:1884', { host: '127.0.0.1', port: 1884 }],
  ['tcp://broker.lan:1884', { host: 'broker.lan', port: 1884 }],
  ['mqtt://broker.lan', { host: 'broker.lan', port: 1883 }],
  ['mqtt://broker.lan/', { host: 'broker.lan', port: 1883 }],
  ['mqtt://[::1]:1884', { host: '::1', port: 1884 }],
])('%s → its own TCP socket to %o', (url, address) => {
  expect(plainTcpAddress(url, NO_LOGIN)).toEqual(address);
});

it.each([
  ['mqtts://broker.lan:8883', 'TLS'],
  ['ssl://broker.lan:8883', 'TLS'],
  ['ws://broker.lan:8080/mqtt', 'WebSocket'],
  ['wss://broker.lan/mqtt', 'secure WebSocket'],
  ['mqtt://user:secret@broker.lan', 'credentials in the URL'],
  ['mqtt://broker.lan?clientId=x', 'a query'],
  ['mqtt://broker.lan/some/path', 'a path'],
  ['mqtt://bücher.lan', 'a host outside ASCII, which mqtt.js turns into punycode'],
  ['mqtt://h%41st.lan', 'a percent-encoded host'],
  ['not a url', 'not a URL'],
])('%s (%s) → mqtt.js connects', (url) => {
  expect(plainTcpAddress(url, NO_LOGIN)).toBeUndefined();
});

it('a client certificate goes to mqtt.js, which then speaks TLS', () => {
  expect(plainTcpAddress('mqtt://broker.lan', { cert: Buffer.from('c'), key: Buffer.from('k') })).toBeUndefined();
});

it('so does a SOCKS proxy set for mqtt.js', () => {
  process.env.MQTTJS_SOCKS_PROXY = 'socks5://127.0.0.1:1080';
  try {
    expect(plainTcpAddress('mqtt://broker.lan', NO_LOGIN)).toBeUndefined();
  } finally {
    delete process.env.MQTTJS_SOCKS_PROXY;
  }
});
