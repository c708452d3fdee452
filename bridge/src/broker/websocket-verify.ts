/** The Origin check of the broker's WebSocket servers (plain and TLS), as `ws` options. */
import type { IncomingMessage } from 'node:http';

type VerifyClient = (info: { req: IncomingMessage }, done: (ok: boolean, status?: number) => void) => void;

/**
 * `verifyClient` for a `WebSocketServer`, or nothing when every handshake may go on. The callback
 * form: the plain form would answer a refusal with 401, and this is a 403.
 */
export function verifyClientOption(verify?: (req: IncomingMessage) => boolean): { verifyClient?: VerifyClient } {
  return verify ? { verifyClient: (info, done) => done(verify(info.req), 403) } : {};
}
