/**
 * The simulator page's files, read only from inside its folder. A path that would leave the
 * folder (`..`, symlinks are not followed out of it either) is simply not found.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export class StaticFiles {
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /** The file for a decoded request path, or undefined when there is none inside the folder. */
  find(pathname: string): string | undefined {
    const file = normalize(join(this.root, pathname === '/' ? 'index.html' : pathname));
    if (!file.startsWith(this.root + sep)) return undefined;
    try {
      if (!statSync(file).isFile()) return undefined;
      const real = realpathSync(file);
      return real.startsWith(realpathSync(this.root) + sep) ? real : undefined;
    } catch {
      return undefined;
    }
  }

  /** Sends a file found by `find`; a file that vanishes meanwhile ends the response, not the bridge. */
  send(file: string, res: ServerResponse, headOnly: boolean): void {
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    if (headOnly) {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
