/**
 * Whether a bridge runs on a data dir, so a restore never swaps the folder under it. First the
 * data dir's lock file (a running bridge holds it with its pid); with no lock to go by, the
 * ports such a bridge would listen on, from the settings of this machine.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Settings } from '../config';
import { LOCK_FILE, liveLockHolder } from '../util/data-dir-lock';

/** Whether something accepts TCP connections on host:port. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A wildcard listen address is reached on loopback. */
const reachable = (host: string): string => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

export interface RunningBridge {
  message: string;
  /** Known from the lock (certain), or guessed from a busy port (--force may overrule it). */
  certain: boolean;
}

/** Why a bridge seems to run on `dataDir`, or undefined when nothing says so. */
export async function runningBridge(dataDir: string, settings: Settings): Promise<RunningBridge | undefined> {
  const pid = liveLockHolder(dataDir);
  if (pid !== undefined)
    return {
      certain: true,
      message: `a bridge (pid ${pid}) is running on ${dataDir}: stop it first (sudo systemctl stop megabit). If none runs (pid ${pid} is another program now, after a power cut), delete ${join(dataDir, LOCK_FILE)}`,
    };
  const ports: Array<{ key: string; host: string; port: number }> = [{ key: 'http.port', host: settings.http.host, port: settings.http.port }];
  if (!settings.mqtt.url) ports.push({ key: 'broker.port', host: settings.broker.host, port: settings.broker.port });
  for (const { key, host, port } of ports) {
    if (port !== 0 && (await listening(reachable(host), port)))
      return {
        certain: false,
        message: `something listens on port ${port} (${key}), where a bridge on ${dataDir} would: stop the bridge first (sudo systemctl stop megabit), or pass --force if that is another program`,
      };
  }
  return undefined;
}
