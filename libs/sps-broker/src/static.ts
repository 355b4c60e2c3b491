/**
 * Static files on the broker's HTTP port: the teaching console (a built single-page app) at `/`.
 *
 * - GET/HEAD only, never under `/api/`; paths cannot leave the directory.
 * - Content types by extension; `assets/` files carry a content hash in their names (Vite's
 *   output), so they are cached for a year as immutable; everything else is revalidated (ETag).
 * - SPA fallback: a path without a file extension that is not a file gets `index.html`, so the
 *   console's own routes (`/groups`, `/inspect/orders/0`) survive a reload.
 */
import { createReadStream, promises as fs } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** A route (see HttpRoutes) serving `dir`; answers false for anything it does not serve. */
export function staticFiles(
  dir: string,
): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean> {
  const root = path.resolve(dir);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false;
    }
    if (pathname === '/api' || pathname.startsWith('/api/') || pathname.includes('\0')) return false;
    const file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
    if (file !== root && !file.startsWith(root + path.sep)) return false;

    let target = file;
    let stat = await fs.stat(target).catch(() => null);
    if (stat?.isDirectory()) {
      target = path.join(target, 'index.html');
      stat = await fs.stat(target).catch(() => null);
    }
    if (!stat?.isFile()) {
      if (path.extname(pathname)) return false; // a missing asset is a 404, not the page
      target = path.join(root, 'index.html');
      stat = await fs.stat(target).catch(() => null);
      if (!stat?.isFile()) return false;
    }

    const rel = path.relative(root, target).split(path.sep).join('/');
    const immutable = rel.startsWith('assets/');
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': contentTypeOf(target),
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'last-modified': stat.mtime.toUTCString(),
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': stat.size });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(target);
      stream.once('error', () => {
        res.destroy();
        resolve();
      });
      stream.once('end', resolve);
      stream.pipe(res);
    });
    return true;
  };
}
