/**
 * Where the listeners bind, and whether that is allowed: nothing reachable from the LAN without a
 * login (mosquitto 2's rule). Without logins the embedded broker and the page stay on loopback; an
 * address that reaches the LAN is refused at start unless the user says, with
 * `broker.allow_anonymous`, that the network is trusted.
 */
import { isIP } from 'node:net';
import type { Settings } from './schema';

export const LOOPBACK_HOST = '127.0.0.1';
export const ALL_INTERFACES = '0.0.0.0';

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '::ffff:127.0.0.1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Whether clients must log in: the embedded broker's password file, or the external broker's own login. */
export function loginsConfigured(settings: Pick<Settings, 'mqtt' | 'broker'>): boolean {
  return settings.mqtt.url === undefined ? settings.broker.password_file !== undefined : settings.mqtt.username !== undefined;
}

/**
 * Fills in `broker.host` and `http.host` where absent, and returns a problem for each listener
 * that would reach the LAN without a login. `name` shows a key as the message should (the loader
 * adds the environment variable that set it).
 */
export function resolveListenHosts(settings: Settings, name: (key: string) => string = (key) => key): string[] {
  const logins = loginsConfigured(settings);
  const fallback = logins ? ALL_INTERFACES : LOOPBACK_HOST;
  const problems: string[] = [];
  const open = (key: string, host: string): void => {
    if (logins || settings.broker.allow_anonymous || isLoopbackHost(host)) return;
    problems.push(
      `${name(key)} is ${host}, which other machines can reach, but no logins are set up: ` +
        'set broker.password_file (see "megabit user add" and docs/security.md), ' +
        'or set broker.allow_anonymous: true if every device on that network is trusted',
    );
  };
  if (settings.broker.host === undefined) settings.broker.host = fallback;
  else if (settings.mqtt.url === undefined) open('broker.host', settings.broker.host);
  if (settings.http.host === undefined) settings.http.host = fallback;
  else open('http.host', settings.http.host);
  return problems;
}
