/**
 * listen() (util/listen.ts), which every server of the bridge listens through: a busy
 * port is refused with the setting to change, and an error the server emits once listening (Node
 * emits a failed accept, e.g. EMFILE, on the server) is logged instead of ending the process.
 */
import { createServer, type Server } from 'node:net';
import { listen } from '../../src/util/listen';
import { recordingLog } from '../helpers/logs';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

function server(): Server {
  const s = createServer();
  servers.push(s);
  return s;
}

it('an error after listening is logged with what the server is, and the server keeps listening', async () => {
  const log = recordingLog();
  const s = server();
  await listen(s, 0, '127.0.0.1', 'MQTT (broker.port)', log);
  const failedAccept = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
  // With no listener for it, this emit would throw (and end a process).
  expect(() => s.emit('error', failedAccept)).not.toThrow();
  expect(log.lines).toContainEqual({ level: 'warn', message: 'MQTT (broker.port): accept EMFILE' });
  expect(s.listening).toBe(true);
});

it('a port in use is refused with the setting to change', async () => {
  const first = server();
  await listen(first, 0, '127.0.0.1', 'first', recordingLog());
  const port = (first.address() as { port: number }).port;
  await expect(listen(server(), port, '127.0.0.1', 'MQTT (broker.port)', recordingLog())).rejects.toThrow(
    /MQTT \(broker\.port\): port \d+ is already in use .*megabit\.yaml/,
  );
});
