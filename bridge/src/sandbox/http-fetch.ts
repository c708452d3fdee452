/**
 * Performs an app's HTTP request on the bridge's main thread. Redirects are followed here, one hop
 * at a time, so that a granted server cannot send the app on to a host it was not granted. Every
 * hop's address is checked (address-guard.ts): a literal one here, a name by the dispatcher's
 * lookup when it connects.
 */
import type { Dispatcher, Response } from 'undici';
import { checkLiteralAddress } from './address-guard';
import { HTTP_MAX_REDIRECTS, HTTP_MAX_RESPONSE_BYTES, HttpDenied, checkUrl, type HttpReply, type HttpRequestSpec } from './http-permission';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Credentials an app sent to one server must not follow a redirect to another. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())));
}

/** What an app's requests may reach, and how they connect. */
export interface AppNetwork {
  /** permissions.network of the manifest. */
  hosts: readonly string[];
  /** sandbox.allow_private_hosts of megabit.yaml. */
  allowPrivateHosts: readonly string[];
  /** Made with guardedAgent on the first request: connects only to addresses the guard let through. */
  dispatcher(): Dispatcher;
}

/**
 * `timeoutMs`: what is left of the guest call's time budget; `stop` aborts when the app goes.
 * Never rejects: every failure is an `error` reply.
 */
export async function fetchForApp(request: HttpRequestSpec, network: AppNetwork, timeoutMs: number, stop: AbortSignal): Promise<HttpReply> {
  if (timeoutMs <= 0) return { error: "no time left in the call's time budget" };
  // One controller per request: AbortSignal.any on the app's long-lived `stop` signal would
  // keep every request's signal alive for as long as the app runs.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onStop = (): void => controller.abort();
  if (stop.aborted) controller.abort();
  else stop.addEventListener('abort', onStop, { once: true });
  const signal = controller.signal;
  let { url, method, body } = request;
  let headers = request.headers;
  let redirected = false;
  // Loaded here, not at start (see guardedAgent).
  const { fetch } = require('undici') as typeof import('undici');
  try {
    for (let hop = 0; ; hop++) {
      checkLiteralAddress(network.allowPrivateHosts, checkUrl(network.hosts, url).hostname);
      const response = await fetch(url, { method, headers, body, redirect: 'manual', signal, dispatcher: network.dispatcher() });
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) {
        const bytes = await readCapped(response, HTTP_MAX_RESPONSE_BYTES);
        if (!bytes) return { error: `the response is larger than ${HTTP_MAX_RESPONSE_BYTES / 1024 / 1024} MiB` };
        return { status: response.status, body: bytes };
      }
      await response.body?.cancel();
      if (hop === HTTP_MAX_REDIRECTS) return { error: `more than ${HTTP_MAX_REDIRECTS} redirects` };
      const from = new URL(url);
      const to = new URL(location, url);
      if (from.protocol === 'https:' && to.protocol !== 'https:') return { error: `refused a redirect from https to ${to.protocol} (${to.host})` };
      if (to.origin !== from.origin) headers = withoutCredentials(headers);
      url = to.href;
      redirected = true;
      if (response.status === 303 || (response.status <= 302 && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  } catch (e) {
    if (e instanceof HttpDenied) return { error: redirected ? `redirected: ${e.message}` : e.message };
    if (timedOut) return { error: `no answer within ${Math.round(timeoutMs)} ms (the rest of the call's time budget)` };
    // fetch's own message is "fetch failed"; the cause says what happened (ECONNREFUSED, ...).
    return { error: messageOf((e as { cause?: unknown } | null)?.cause) ?? messageOf(e) ?? String(e) };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}

/** By shape, not instanceof: errors from Node's bundled fetch may come from another realm. */
function messageOf(e: unknown): string | undefined {
  const message = (e as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** The whole body, or null as soon as it passes `cap` bytes (the rest is not read). */
async function readCapped(response: Response, cap: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const chunk = await reader.read();
    if (chunk.done) break;
    total += chunk.value.length;
    if (total > cap) {
      await reader.cancel();
      return null;
    }
    chunks.push(chunk.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
