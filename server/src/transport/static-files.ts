/** Serves files from one folder: no directory listing, no path outside the folder, known types only. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'koa';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Sends `relative` from `root` when it is a file of a known type; returns false otherwise so
 * the caller answers 404. `index.html` stands in for a folder.
 */
export async function sendStaticFile(
  ctx: Context,
  root: string,
  relative: string,
  cacheSeconds = 0,
): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  let file = normalize(join(base, decoded));
  if (!file.startsWith(base)) return false;
  if (decoded === '' || decoded.endsWith('/')) file = join(file, 'index.html');
  const type = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!type) return false;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  ctx.type = type;
  ctx.length = info.size;
  ctx.lastModified = info.mtime;
  ctx.set('Cache-Control', cacheSeconds > 0 ? `public, max-age=${cacheSeconds}` : 'no-cache');
  ctx.body = ctx.method === 'HEAD' ? null : createReadStream(file);
  return true;
}
