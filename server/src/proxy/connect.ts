/**
 * One upstream HTTP exchange on a connection pinned to an address that was already checked: the
 * socket goes to that IP (or, through a forward proxy, the proxy is asked for that IP), while the
 * `Host` header and TLS SNI carry the name, so DNS is never consulted again. Through a forward
 * proxy, http targets are sent in absolute form and https targets through a CONNECT tunnel.
 */
import { request, type IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface ForwardProxy {
  /** `http://host:port` of the proxy. */
  url: URL;
  /** `Proxy-Authorization` value, when the proxy needs credentials. */
  authorization: string | null;
}

export interface HopRequest {
  url: URL;
  /** The checked address the connection is pinned to. */
  address: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  forwardProxy: ForwardProxy | null;
}

export type HopResult =
  { ok: true; response: IncomingMessage } | { ok: false; reason: 'forward_proxy'; message: string };

export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function hostForAddress(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

function tlsOptions(url: URL): { servername?: string; ALPNProtocols: string[] } {
  // SNI carries names only; for an IP literal the certificate is checked against the IP.
  return isIP(url.hostname.replace(/^\[|\]$/g, ''))
    ? { ALPNProtocols: ['http/1.1'] }
    : { servername: url.hostname, ALPNProtocols: ['http/1.1'] };
}

/** Opens a CONNECT tunnel through the forward proxy to `address:port`. */
function openTunnel(proxy: ForwardProxy, target: string, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: target };
    if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
    const req = request({
      host: proxy.url.hostname.replace(/^\[|\]$/g, ''),
      port: defaultPort(proxy.url),
      method: 'CONNECT',
      path: target,
      headers,
      signal,
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new TunnelRefused(`forward proxy answered CONNECT with ${res.statusCode}`));
      }
    });
    req.once('error', reject);
    req.end();
  });
}

class TunnelRefused extends Error {}

/** Sends a GET and resolves with the response head; the caller reads (or discards) the body. */
export async function requestHop(hop: HopRequest): Promise<HopResult> {
  const { url, address, signal, forwardProxy } = hop;
  const port = defaultPort(url);
  const target = `${hostForAddress(address)}:${port}`;
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = { ...hop.headers, host: url.host };
  const path = `${url.pathname}${url.search}`;

  let createConnection: (() => Socket) | undefined;
  let requestPath = path;
  let requestHost: { host: string; port: number } | undefined;
  if (forwardProxy && secure) {
    let tunnel: Socket;
    try {
      tunnel = await openTunnel(forwardProxy, target, signal);
    } catch (error) {
      if (error instanceof TunnelRefused)
        return { ok: false, reason: 'forward_proxy', message: error.message };
      throw error;
    }
    const tls = tlsConnect({ socket: tunnel, ...tlsOptions(url) });
    createConnection = () => tls;
  } else if (forwardProxy) {
    requestHost = {
      host: forwardProxy.url.hostname.replace(/^\[|\]$/g, ''),
      port: defaultPort(forwardProxy.url),
    };
    requestPath = `http://${target}${path}`;
    if (forwardProxy.authorization) headers['proxy-authorization'] = forwardProxy.authorization;
  } else if (secure) {
    createConnection = () => tlsConnect({ host: address, port, ...tlsOptions(url) });
  } else {
    createConnection = () => netConnect({ host: address, port });
  }

  return new Promise((resolve, reject) => {
    const req = request({
      ...(createConnection ? { createConnection } : { ...requestHost, agent: false }),
      method: 'GET',
      path: requestPath,
      headers,
      signal,
    });
    req.once('response', (response) => {
      // Through the proxy in absolute form, its own refusal arrives as a response.
      const proxyRefused =
        response.statusCode === 407 ||
        (response.statusCode === 401 && response.headers['proxy-authenticate'] !== undefined);
      if (forwardProxy && !secure && proxyRefused) {
        response.resume();
        resolve({ ok: false, reason: 'forward_proxy', message: 'forward proxy wants credentials' });
      } else resolve({ ok: true, response });
    });
    req.once('error', reject);
    req.end();
  });
}
