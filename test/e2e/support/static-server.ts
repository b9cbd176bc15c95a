/** A tiny static HTTP server for browser tests that do not need the Tandem server. */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Route {
  /** A file on disk, or generated content. */
  body: string | (() => Promise<string | Buffer>);
  headers?: Record<string, string>;
}

export interface StaticServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves `routes` by exact path, then files under `root`. */
export async function startStaticServer(
  root: string,
  routes: Record<string, Route> = {},
): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    void (async () => {
      try {
        const route = routes[path];
        const file = route
          ? typeof route.body === 'string'
            ? await readFile(route.body)
            : await route.body()
          : await readFile(join(root, normalize(path).replace(/^(\.\.[/\\])+/, '')));
        const type = TYPES[extname(typeof route?.body === 'string' ? route.body : path)];
        res.writeHead(200, {
          'content-type': type ?? 'application/octet-stream',
          ...route?.headers,
        });
        res.end(file);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
