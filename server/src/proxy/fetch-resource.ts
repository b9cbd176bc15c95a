/**
 * Fetches one resource for the agent, checking every hop: scheme, port, allowlist, resolution of
 * the name (once), every resolved address, then a connection pinned to a checked address.
 * Redirects are followed a few times, each checked again. The body is capped, the whole exchange
 * bounded by one deadline, and only stylesheets, images and fonts pass. Nothing of the agent's
 * request (cookies, credentials, headers) is sent upstream.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isPublicAddress, type AddressPolicyOptions } from './address-policy.ts';
import type { DomainAllowlist } from './allowlist.ts';
import { requestHop, defaultPort, type ForwardProxy } from './connect.ts';
import { classifyContentType, type AllowedType } from './content-types.ts';
import { proxyFailure, type ProxyFailure } from './errors.ts';
import type { Resolver } from './resolver.ts';

export interface FetchPolicy {
  allowlist: DomainAllowlist;
  allowedPorts: ReadonlySet<number>;
  maxRedirects: number;
  maxBytes: number;
  timeoutMs: number;
  resolver: Resolver;
  addressPolicy: AddressPolicyOptions;
  /** The forward proxy for a host (null: connect directly, as for `forward-proxy.noProxy`). */
  forwardProxyFor: (host: string) => ForwardProxy | null;
  /**
   * False only with a forward proxy that must resolve names itself (no DNS in the DMZ): the
   * name then goes to the proxy unresolved, and that proxy must refuse internal addresses.
   */
  resolveLocally: boolean;
}

/** The upstream headers that decide caching. */
export interface CacheHeaders {
  cacheControl?: string;
  expires?: string;
  date?: string;
  age?: string;
}

export interface FetchedResource {
  /** The URL after redirects: nested CSS URLs resolve against it. */
  url: string;
  type: AllowedType;
  body: Buffer;
  headers: CacheHeaders;
}

export type FetchResult = { ok: true; resource: FetchedResource } | ProxyFailure;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Tandem-Resource-Proxy/1';

/** Checks a URL's scheme, port and host; returns the host name (brackets removed). */
function checkTarget(
  url: URL,
  pageHost: string | null,
  policy: FetchPolicy,
): string | ProxyFailure {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return proxyFailure('scheme_not_allowed', `scheme ${url.protocol}`);
  if (url.username || url.password)
    return proxyFailure('bad_url', 'credentials in the URL are not forwarded');
  if (!policy.allowedPorts.has(defaultPort(url)))
    return proxyFailure('port_not_allowed', `port ${defaultPort(url)}`);
  if (!policy.allowlist.allows(url.hostname, pageHost))
    return proxyFailure('domain_not_allowed', `host ${url.hostname}`);
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Resolves once and checks every address; returns the one to pin the connection to. */
async function pinAddress(
  host: string,
  policy: FetchPolicy,
  viaProxy: boolean,
): Promise<string | ProxyFailure> {
  let addresses: string[];
  // `localhost.` and `localhost` are one name; the hosts file knows only the second.
  const name = host.replace(/\.$/, '');
  if (isIP(name)) addresses = [name];
  else if (viaProxy && !policy.resolveLocally) return host;
  else {
    try {
      addresses = await policy.resolver(name);
    } catch (error) {
      return proxyFailure('dns_failed', `${host}: ${(error as Error).message}`);
    }
  }
  if (addresses.length === 0) return proxyFailure('dns_failed', `${host}: no address`);
  const refused = addresses.find((address) => !isPublicAddress(address, policy.addressPolicy));
  if (refused !== undefined)
    return proxyFailure('address_not_allowed', `${host} resolves to ${refused}`);
  return addresses[0]!;
}

function readBody(
  response: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true });
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        resolve('too_large'); // before destroy(), which reports the abort synchronously
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.once('error', reject);
    response.once('aborted', () => reject(new Error('upstream aborted')));
  });
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function fetchHops(
  start: URL,
  pageHost: string | null,
  policy: FetchPolicy,
  signal: AbortSignal,
): Promise<FetchResult> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const host = checkTarget(url, pageHost, policy);
    if (typeof host !== 'string') return host;
    const forwardProxy = policy.forwardProxyFor(host);
    const address = await pinAddress(host, policy, forwardProxy !== null);
    if (typeof address !== 'string') return address;
    const result = await requestHop({
      url,
      address,
      signal,
      forwardProxy,
      headers: {
        'user-agent': USER_AGENT,
        accept: 'text/css,image/*,font/*;q=0.9,*/*;q=0.1',
        'accept-encoding': 'identity',
        connection: 'close',
      },
    });
    if (!result.ok) return proxyFailure('forward_proxy_error', result.message);
    const { response } = result;
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status)) {
      response.resume();
      if (hop >= policy.maxRedirects)
        return proxyFailure('too_many_redirects', `after ${hop} redirects`);
      const location = header(response, 'location');
      try {
        url = new URL(location ?? '', url);
      } catch {
        return proxyFailure('bad_redirect', `location ${location ?? '(none)'}`);
      }
      if (!location) return proxyFailure('bad_redirect', 'no location');
      continue;
    }
    if (status < 200 || status > 299) {
      response.resume();
      return proxyFailure('upstream_status', `status ${status}`);
    }
    const type = classifyContentType(header(response, 'content-type'), url);
    if (!type) {
      response.resume();
      return proxyFailure(
        'type_not_allowed',
        `type ${header(response, 'content-type') ?? '(none)'}`,
      );
    }
    const encoding = header(response, 'content-encoding');
    if (encoding && encoding.toLowerCase() !== 'identity') {
      response.resume();
      return proxyFailure('upstream_error', `content-encoding ${encoding}`);
    }
    const length = Number(header(response, 'content-length') ?? '0');
    if (length > policy.maxBytes) {
      response.destroy();
      return proxyFailure('too_large', `content-length ${length}`);
    }
    const body = await readBody(response, policy.maxBytes, signal);
    if (body === 'too_large')
      return proxyFailure('too_large', `more than ${policy.maxBytes} bytes`);
    return {
      ok: true,
      resource: {
        url: url.href,
        type,
        body,
        headers: {
          cacheControl: header(response, 'cache-control'),
          expires: header(response, 'expires'),
          date: header(response, 'date'),
          age: header(response, 'age'),
        },
      },
    };
  }
}

/** Fetches `url` for a page on `pageHost` under `policy`. Never throws for upstream failures. */
export async function fetchResource(
  url: string,
  pageHost: string | null,
  policy: FetchPolicy,
): Promise<FetchResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return proxyFailure('bad_url', 'not an absolute URL');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
  try {
    return await fetchHops(parsed, pageHost, policy, controller.signal);
  } catch (error) {
    if (controller.signal.aborted)
      return proxyFailure('upstream_timeout', `after ${policy.timeoutMs} ms`);
    return proxyFailure('upstream_error', (error as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
