/**
 * Carries a browser's MQTT-over-WebSocket connection to an external broker, so the simulator page
 * has one URL whichever broker the bridge uses. MQTT bytes are the same over TCP and WebSocket:
 * the proxy only moves them.
 */
import { isIP, connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { LoginOptions } from '../mqtt/client-options';
import { tlsModule, wsModule } from '../util/on-first-use';
import { socketHost } from '../util/socket-host';

/** The TLS part of the bridge's own broker settings (`mqtt.ca`, `mqtt.cert`, `mqtt.key`, `mqtt.reject_unauthorized`). */
export type UpstreamTls = Pick<LoginOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

export function connectUpstream(brokerUrl: string, tls: UpstreamTls): Duplex {
  const url = new URL(brokerUrl);
  const secure = url.protocol === 'mqtts:' || url.protocol === 'ssl:' || url.protocol === 'wss:';
  // The same trust as the bridge's own connection: its CA, its client certificate if the broker wants one.
  const tlsOptions = { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized ?? true };
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    const ws = wsModule();
    return ws.createWebSocketStream(new ws.WebSocket(brokerUrl, 'mqtt', secure ? tlsOptions : {}));
  }
  const port = Number(url.port) || (secure ? 8883 : 1883);
  const host = socketHost(url);
  return secure ? tlsModule().connect({ host, port, servername: isIP(host) ? undefined : host, ...tlsOptions }) : netConnect({ host, port });
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
