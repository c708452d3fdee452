/**
 * The embedded broker's gatekeeping, as aedes hooks: logins, the reserved bridge client id, the
 * ACL on publish, subscribe and delivery, `$SYS`, and the retained-data budget. The bridge's own
 * client (recognised by its in-process connection, never by anything it sends) passes every check.
 */
import type { Duplex } from 'node:stream';
import type { AedesOptions, AedesPublishPacket, Client, PublishPacket, Subscription } from '../esm-types';
import type { Who } from './acl';
import type { BrokerAccess } from './broker-access';
import type { RetainedBudget } from './retained-budget';
import type { Logger } from '../util/logger';

export type BrokerHooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

export interface HookContext {
  access: BrokerAccess;
  retained: RetainedBudget;
  sysTopics: boolean;
  bridgeClientId: string;
  /** Connections made by `connectInProcess`: only they may use the bridge's client id. */
  inProcess: WeakSet<Duplex>;
  log: Logger;
  /** Told the topic of each publish let through (not the bridge's own); must not throw. */
  onPublished?: (topic: string) => void;
}

/** MQTT 3.1.1 CONNACK return codes (aedes maps them to MQTT 5 reason codes). */
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** Refusals log once per this many ms per kind (fixed kinds: a flood of made-up names cannot grow memory or the log). */
const WARN_EVERY_MS = 10_000;

function refusal(message: string, returnCode: number): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

export function brokerHooks(ctx: HookContext): BrokerHooks {
  const bridgeClients = new WeakSet<Client>();
  const who = new WeakMap<Client, Who>();
  const lastWarned = new Map<string, number>();
  const warn = (kind: string, message: string): void => {
    const now = Date.now();
    if (now - (lastWarned.get(kind) ?? -Infinity) < WARN_EVERY_MS) return;
    lastWarned.set(kind, now);
    ctx.log.warn(message);
  };
  const whoIs = (client: Client): Who => who.get(client) ?? { clientId: client.id };
  // Quoted as JSON: a name or topic with a line break cannot forge a log line.
  const name = (client: Client): string => JSON.stringify(whoIs(client).username ?? '(anonymous)');

  return {
    authenticate(client, username, password, done) {
      if (ctx.inProcess.has(client.conn as Duplex)) {
        bridgeClients.add(client);
        return done(null, true);
      }
      if (client.id === ctx.bridgeClientId) {
        warn('bridge-id', `refused a client connecting with the bridge's own client id ${JSON.stringify(client.id)}`);
        return done(refusal('client id reserved', IDENTIFIER_REJECTED) as never, null);
      }
      ctx.access.login(username, password).then(
        (result) => {
          if (result === 'ok') {
            who.set(client, { username, clientId: client.id });
            return done(null, true);
          }
          if (result === 'busy') {
            warn('busy', 'too many logins at once: turned some away ("server unavailable"); they retry');
            return done(refusal('server busy', SERVER_UNAVAILABLE) as never, null);
          }
          if (result === 'anonymous-refused') {
            warn('anonymous', 'refused a client without a user name (set broker.allow_anonymous to let such clients in)');
            return done(refusal('login required', NOT_AUTHORIZED) as never, null);
          }
          // The user name is the client's claim, not a secret; the password is never logged.
          warn('login', `refused a login as ${JSON.stringify(username)}: unknown user or wrong password`);
          done(refusal('bad user name or password', BAD_USERNAME_OR_PASSWORD) as never, null);
        },
        (e: unknown) => {
          ctx.log.error(`checking a login failed: ${String(e)}`);
          done(refusal('server unavailable', SERVER_UNAVAILABLE) as never, null);
        },
      );
    },

    authorizePublish(client, packet: PublishPacket, done) {
      // No client: aedes publishing a will for a session it restored. None are kept across restarts.
      if (client === null) return done(null);
      const bridge = bridgeClients.has(client);
      if (packet.topic.startsWith('$SYS')) return done(new Error('not authorized'));
      if (!bridge && !ctx.access.mayPublish(whoIs(client), packet.topic)) {
        warn('publish', `refused a publish by ${name(client)} to ${JSON.stringify(packet.topic)} (ACL)`);
        // MQTT 5 clients get a PUBACK with 0x87 and stay connected; MQTT 3.1.1 has no way to say
        // "refused", and aedes closes the connection (allowed by MQTT-3.3.5-2).
        return done(new Error('not authorized'));
      }
      if (packet.retain && !ctx.retained.admit(packet.topic, packet.payload.length, bridge)) {
        warn(
          'retained',
          `retained data is at its limit (${ctx.retained.count} messages, ${ctx.retained.totalBytes} bytes kept; broker.max_retained_messages/max_retained_bytes): ` +
            `${JSON.stringify(packet.topic)} is delivered but not kept`,
        );
        packet.retain = false;
      }
      if (!bridge) ctx.onPublished?.(packet.topic);
      done(null);
    },

    authorizeSubscribe(client, sub: Subscription, done) {
      if (bridgeClients.has(client)) return done(null, sub);
      const sys = sub.topic.startsWith('$SYS');
      if ((sys && !ctx.sysTopics) || !ctx.access.maySubscribe(whoIs(client), sub.topic)) {
        warn(
          'subscribe',
          `refused a subscription by ${name(client)} to ${JSON.stringify(sub.topic)}${sys && !ctx.sysTopics ? ' (broker.sys_topics is off)' : ' (ACL)'}`,
        );
        // A null subscription is refused in the SUBACK (0x80, MQTT 5: 0x87); the client stays.
        return done(null, null);
      }
      done(null, sub);
    },

    authorizeForward(client, packet: AedesPublishPacket) {
      if (bridgeClients.has(client) || !ctx.access.hasAcl) return packet;
      return ctx.access.mayReceive(whoIs(client), packet.topic) ? packet : null;
    },
  };
}
