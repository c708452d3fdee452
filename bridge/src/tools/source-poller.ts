/**
 * Notices saves in an app's source folder by looking, a few times a second, at every file there.
 * Not fs.watch: editors save by writing a temporary file and renaming it over the old one, and on
 * Node 20 a recursive fs.watch reports only the first such save. An app has a handful of files,
 * so looking at all of them costs nothing and sees every kind of save: in place, rename-replace,
 * new and deleted files.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const POLL_INTERVAL_MS = 250;

/** path → what identifies its content's version: inode (a rename-replace gives a new one), size, time. */
type Snapshot = Map<string, string>;

function snapshot(paths: string[]): Snapshot {
  const found: Snapshot = new Map();
  const visit = (path: string): void => {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(path);
    } catch {
      return; // deleted while we looked: the next look sees it gone
    }
    if (stats.isDirectory()) {
      let names: string[] = [];
      try {
        names = readdirSync(path);
      } catch {
        return;
      }
      for (const name of names) visit(join(path, name));
      return;
    }
    found.set(path, `${stats.ino}:${stats.size}:${stats.mtimeMs}`);
  };
  for (const path of paths) if (existsSync(path)) visit(path);
  return found;
}

function same(a: Snapshot, b: Snapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [path, version] of a) if (b.get(path) !== version) return false;
  return true;
}

/** Calls `onChange` after each look that finds any file under `paths` added, removed or saved; returns the stop function. */
export function pollSources(paths: string[], onChange: () => void, intervalMs = POLL_INTERVAL_MS): () => void {
  let last = snapshot(paths);
  const timer = setInterval(() => {
    const now = snapshot(paths);
    if (same(last, now)) return;
    last = now;
    onChange();
  }, intervalMs);
  return () => clearInterval(timer);
}
