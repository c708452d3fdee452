/**
 * Which broker and device the page talks to: the defaults of the bridge that served it
 * (/simulator-config.json), overridden by `?base=`, `?device=` and `?broker=` in the URL. The
 * page's `?token=` (http.auth_token) is passed on to its own bridge's /mqtt, never to another broker.
 */
import { DEFAULT_BASE_TOPIC, DEFAULT_DEVICE_ID, isValidId } from '@megabit/contract';

export interface PageConfig {
  brokerUrl: string;
  baseTopic: string;
  deviceId: string;
  /** The broker wants a user name and password (the bridge says so). */
  logins: boolean;
}

export type ConfigResult = { ok: true; config: PageConfig } | { ok: false; message: string };

/** Same rule as the bridge's `mqtt.base_topic`: no wildcards, no blanks, no '/' at either end. */
const BASE_TOPIC = /^[^#+/\s]([^#+\s]*[^#+/\s])?$/;

export function isValidBaseTopic(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 128 && BASE_TOPIC.test(value);
}

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export function resolvePageConfig(location: PageLocation, served: unknown): ConfigResult {
  const params = new URLSearchParams(location.search);
  const defaults = typeof served === 'object' && served !== null ? (served as Record<string, unknown>) : {};

  const base = params.get('base') ?? (isValidBaseTopic(defaults.base_topic) ? defaults.base_topic : DEFAULT_BASE_TOPIC);
  if (!isValidBaseTopic(base)) return { ok: false, message: `?base=${base} is not a valid base topic (no "+", "#", spaces, or "/" at either end)` };

  const device = params.get('device') ?? (isValidId(defaults.device_id) ? defaults.device_id : DEFAULT_DEVICE_ID);
  if (!isValidId(device)) return { ok: false, message: `?device=${device} is not a valid device id (a-z, 0-9, "_" and "-")` };

  const broker = params.get('broker') ?? defaultBrokerUrl(location, params.get('token'));
  if (broker === undefined) return { ok: false, message: 'this page was not served by a bridge: give the broker as ?broker=ws://host:port/mqtt' };
  if (!/^wss?:\/\/[^/\s]+/.test(broker)) return { ok: false, message: `?broker=${broker} must be a ws:// or wss:// URL` };
  // A page served by a bridge talks to that bridge only (its CSP allows no other): a link with
  // ?broker= must not make it send the user's login to someone else's server.
  if (params.has('broker') && isServed(location) && hostOf(broker) !== location.host.toLowerCase()) {
    return {
      ok: false,
      message: `?broker=${broker} is another server: this page only connects to the bridge that served it; open that bridge's own page instead`,
    };
  }

  return { ok: true, config: { brokerUrl: broker, baseTopic: base, deviceId: device, logins: defaults.logins === true } };
}

function isServed(location: PageLocation): boolean {
  return location.protocol === 'http:' || location.protocol === 'https:';
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function defaultBrokerUrl(location: PageLocation, token: string | null): string | undefined {
  if (!isServed(location)) return undefined;
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt${query}`;
}

/** Where the page asks its bridge for its defaults, with the page's token if it has one. */
export function servedConfigUrl(search: string): string {
  const token = new URLSearchParams(search).get('token');
  return `simulator-config.json${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/** The page URL with another device selected, so a reload or a shared link keeps it. */
export function urlWithDevice(href: string, deviceId: string): string {
  const url = new URL(href);
  url.searchParams.set('device', deviceId);
  return url.toString();
}
