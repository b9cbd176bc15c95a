/**
 * Stand-ins for a customer's site and its CDN: small HTTP(S) servers on loopback addresses
 * (127.0.0.2, 127.0.0.3, ... work on Linux without setup) that serve fixed routes and record
 * every request they receive, so that tests can assert what reached them and what did not.
 */
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { deflateSync, crc32 } from 'node:zlib';

export interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface OriginReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering (a slow upstream). */
  delayMs?: number;
}

export type OriginRoute = OriginReply | ((req: IncomingMessage) => OriginReply);

export interface Origin {
  /** `http://address:port` (or https). */
  url: string;
  address: string;
  port: number;
  hits: Hit[];
  stop(): Promise<void>;
}

export interface OriginOptions {
  /** Serve HTTPS with this certificate and key. */
  tls?: { cert: string; key: string };
  /** Port to listen on; default a free one. */
  port?: number;
}

export async function startOrigin(
  address: string,
  routes: Record<string, OriginRoute>,
  options: OriginOptions = {},
): Promise<Origin> {
  const hits: Hit[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '/';
    hits.push({ method: req.method ?? 'GET', path, headers: req.headers });
    const route = routes[new URL(path, 'http://x').pathname];
    const reply: OriginReply = route
      ? typeof route === 'function'
        ? route(req)
        : route
      : { status: 404, body: 'not found' };
    const send = (): void => {
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
    else send();
  };
  const server: Server = options.tls
    ? (createHttpsServer(options.tls, handler) as unknown as Server)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    address,
    port,
    hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A solid-colour RGB PNG of the given size: a real image whose naturalWidth a browser reports. */
export function makePng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => rgb[i % 3]!)]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
