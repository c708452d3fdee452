/**
 * Before anything listens: which of the ports the settings ask for are taken already. The
 * listeners start one after another, so a clash found by starting them would be reported one
 * port a run; this checks them all at once and names each one's key.
 */
import { createServer } from 'node:net';
import type { Settings } from './schema';
import { environmentVariableFor } from './settings';

export interface PortClaim {
  /** The settings key, e.g. `broker.port`. */
  key: string;
  /** What listens there, for the message. */
  what: string;
  host: string;
  port: number;
  /** The MEGABIT_* variable that set the port, when one did: that is where to change it. */
  variable?: string;
}

/** The fixed ports this bridge will listen on (0, any free port, cannot clash). */
export function portClaims(settings: Settings): PortClaim[] {
  const { broker, http } = settings;
  const claims: PortClaim[] = [];
  // With mqtt.url the bridge runs no broker of its own.
  if (!settings.mqtt.url) {
    claims.push({ key: 'broker.port', what: 'MQTT', host: broker.host, port: broker.port });
    claims.push({ key: 'broker.ws_port', what: 'MQTT over WebSocket', host: broker.host, port: broker.ws_port });
    if (broker.tls) {
      claims.push({ key: 'broker.tls.port', what: 'MQTT over TLS', host: broker.host, port: broker.tls.port });
      claims.push({ key: 'broker.tls.ws_port', what: 'MQTT over secure WebSocket', host: broker.host, port: broker.tls.ws_port });
    }
  }
  claims.push({ key: 'http.port', what: http.tls ? 'HTTPS' : 'HTTP', host: http.host, port: http.port });
  return claims
    .filter((claim) => claim.port !== 0)
    .map((claim) => {
      const variable = environmentVariableFor(settings, claim.key);
      return variable ? { ...claim, variable } : claim;
    });
}

/** Whether a listener on `host:port` would fail with EADDRINUSE; any other error is left to the real listener. */
function inUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE'));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

export class PortsInUseError extends Error {
  constructor(readonly busy: PortClaim[]) {
    const list = busy.map((c) => `${c.key} ${c.port} (${c.what} on ${c.host})`).join(', ');
    // Each port is changed where it was set: the variable that set it, else the file.
    const inFile = busy.filter((c) => c.variable === undefined).map((c) => c.key);
    const inEnvironment = busy.flatMap((c) => (c.variable === undefined ? [] : [c.variable]));
    const where = [
      ...(inFile.length > 0 ? [`for ${inFile.join(', ')} in megabit.yaml`] : []),
      ...(inEnvironment.length > 0 ? [`in ${inEnvironment.join(', ')}`] : []),
    ].join(' and ');
    super(
      `${busy.length === 1 ? 'a port is' : 'ports are'} already in use: ${list}. Another bridge or broker running? ` +
        `Set free ports ${where}` +
        `${busy.some((c) => c.key.startsWith('broker.')) ? ', or mqtt.url to use the broker already running' : ''}.`,
    );
    this.name = 'PortsInUseError';
  }
}

/** Throws PortsInUseError naming every configured port that is already taken. */
export async function checkPortsFree(settings: Settings): Promise<void> {
  const claims = portClaims(settings);
  const busy: PortClaim[] = [];
  for (const claim of claims) if (await inUse(claim.host, claim.port)) busy.push(claim);
  if (busy.length > 0) throw new PortsInUseError(busy);
}
