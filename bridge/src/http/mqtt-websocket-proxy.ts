/**
 * Carries a browser's MQTT-over-WebSocket connection to an external broker, so the simulator page
 * has one URL whichever broker the bridge uses. MQTT bytes are the same over TCP and WebSocket:
 * the proxy only moves them.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';

export function connectUpstream(brokerUrl: string, rejectUnauthorized: boolean): Duplex {
  const url = new URL(brokerUrl);
  const secure = url.protocol === 'mqtts:' || url.protocol === 'ssl:' || url.protocol === 'wss:';
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    const socket = new WebSocket(brokerUrl, 'mqtt', { rejectUnauthorized });
    return createWebSocketStream(socket);
  }
  const port = Number(url.port) || (secure ? 8883 : 1883);
  return secure
    ? tlsConnect({ host: url.hostname, port, rejectUnauthorized, servername: url.hostname })
    : netConnect({ host: url.hostname, port });
}

export function pipeBoth(client: Duplex, upstream: Duplex): void {
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
  client.pipe(upstream);
  upstream.pipe(client);
}
