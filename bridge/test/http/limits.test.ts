/**
 * Caps on what one client can hold: open connections (http.max_connections), time to send the
 * request headers (slowloris), and the size of one WebSocket message on /mqtt
 * (broker.max_packet_bytes). Each is tried against the real bridge, which stays online.
 */
import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { startBridge, type RunningBridge } from '../helpers/bridge-process';
import { waitUntil } from '../helpers/ports';
import { get, parseAnswer, rawRequest } from '../helpers/raw-http';
import { expectStillOnline } from '../helpers/still-online';
import { closeSocket, handshake } from '../helpers/ws-handshake';

jest.setTimeout(60_000);

const MAX_CONNECTIONS = 6;
const MAX_PACKET_BYTES = 65_536;

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('limits of the HTTP server and /mqtt', () => {
  let bridge: RunningBridge;

  beforeAll(async () => {
    bridge = await startBridge({ http: { max_connections: MAX_CONNECTIONS }, broker: { max_packet_bytes: MAX_PACKET_BYTES } });
  });

  afterAll(async () => {
    await bridge?.dispose();
  });

  it('turns away connection N+1 with a 503 while N are open, and serves again once one closes', async () => {
    // Half idle sockets, half WebSockets: both count.
    const idle = await Promise.all(Array.from({ length: MAX_CONNECTIONS / 2 }, () => openSocket(bridge.httpPort)));
    const sockets = await Promise.all(Array.from({ length: MAX_CONNECTIONS / 2 }, () => handshake(bridge.wsUrl)));
    expect(sockets.map((s) => s.status)).toEqual(Array(MAX_CONNECTIONS / 2).fill(101));
    try {
      const extra = await rawRequest(bridge.httpPort, get('/'));
      expect(extra.status).toBe(503);
      expect(extra.head).toMatch(/retry-after: 5/i);
      expect(extra.closed).toBe(true);
      const extraWebSocket = await handshake(bridge.wsUrl);
      expect(extraWebSocket.status).toBe(503);
    } finally {
      for (const s of idle) s.destroy();
    }
    // The server sees the closes a moment later.
    let answer = await rawRequest(bridge.httpPort, get('/'));
    for (let i = 0; i < 50 && answer.status === 503; i++) answer = await rawRequest(bridge.httpPort, get('/'));
    expect(answer.status).toBe(200);
    for (const s of sockets) await closeSocket(s.socket);
    expect(bridge.output).toMatch(/6 connections open \(http\.max_connections\)/);
  });

  it('closes a client that sends its headers one line a second (slowloris) with a 408', async () => {
    const socket = await openSocket(bridge.httpPort);
    let received = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (received += d.toString()));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    const started = Date.now();
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: 1\r\n`), 1000);
    try {
      // Meanwhile the server answers everyone else.
      expect((await rawRequest(bridge.httpPort, get('/'))).status).toBe(200);
      await waitUntil(() => closed, 'the slow client to be closed', 25_000);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    expect(parseAnswer(received, true).status).toBe(408);
    // The 10 s header limit, checked once a second: well before the headers would ever end.
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  });

  it('closes a client that connects and sends nothing', async () => {
    const answer = await rawRequest(bridge.httpPort, Buffer.alloc(0), 25_000);
    expect(answer.closed).toBe(true);
    expect(answer.status).toBe(408);
  });

  it('closes a /mqtt WebSocket whose message is over broker.max_packet_bytes (1009), and no other', async () => {
    const big = await handshake(bridge.wsUrl);
    const small = await handshake(bridge.wsUrl);
    const closedWith = new Promise<number>((resolve) => big.socket!.once('close', (code) => resolve(code)));
    big.socket!.on('error', () => undefined);
    big.socket!.send(Buffer.alloc(MAX_PACKET_BYTES + 1));
    expect(await closedWith).toBe(1009);
    expect(small.socket!.readyState).toBe(small.socket!.OPEN);
    await closeSocket(small.socket);
  });

  it('still carries MQTT packets up to the limit over /mqtt', async () => {
    const client = await mqtt.connectAsync(bridge.wsUrl, { protocolVersion: 4, reconnectPeriod: 0 });
    const topic = 'test/large';
    await client.subscribeAsync(topic);
    const arrived = new Promise<number>((resolve) => client.once('message', (_t, payload) => resolve(payload.length)));
    await client.publishAsync(topic, Buffer.alloc(MAX_PACKET_BYTES - 1024), { qos: 1 });
    expect(await arrived).toBe(MAX_PACKET_BYTES - 1024);
    await client.endAsync();
  });

  it('is still online', async () => {
    await expectStillOnline(bridge);
  });
});
