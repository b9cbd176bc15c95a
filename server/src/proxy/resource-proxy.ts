/**
 * The `/proxy/r/<sessionId>/<token>` route: checks the signed URL and its session, serves from
 * the cache or fetches upstream under the SSRF policy, rewrites stylesheets so that what they
 * reference comes through here too (bound to the same session), and answers with a fixed set of
 * headers. Every refusal has a stable code, a log line and a counter increment.
 */
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/index.ts';
import { freshnessMs, type CachedResource, type ResourceCache } from './cache.ts';
import { rewriteCss } from './css-urls.ts';
import { PROXY_ERRORS, statusOf, type ProxyFailure } from './errors.ts';
import { fetchResource, type FetchPolicy } from './fetch-resource.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import { NOTHING, proxiedUrl } from './resource-urls.ts';
import { parseProxyPath, type ResourceSigner } from './signing.ts';

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export interface ResourceProxyOptions {
  signer: ResourceSigner;
  store: Store;
  policy: FetchPolicy;
  /** Null when `http-security.disableCaching` is on: nothing is kept, responses say no-store. */
  cache: ResourceCache | null;
  /** Longest time an upstream response is cached, in ms. */
  maxCacheMs: number;
  metrics: ProxyMetrics;
  log: Logger;
  now?: () => number;
}

export interface ResourceProxy {
  /** Answers a GET of `path`; `requestHost` is the Host the agent's browser used. */
  handle(path: string, requestHost: string): Promise<ProxyResponse>;
}

/** What a proxied resource may do if opened directly: nothing (an SVG could carry script). */
const RESOURCE_CSP =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox";

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).hostname;
  } catch {
    return null;
  }
}

export function createResourceProxy(options: ResourceProxyOptions): ResourceProxy {
  const { signer, store, policy, cache, metrics, log } = options;
  const now = options.now ?? Date.now;

  function refuse(
    failure: ProxyFailure,
    session: string | null,
    host: string | null,
  ): ProxyResponse {
    metrics.requests.inc({ outcome: 'refused' });
    metrics.refusals.inc({ reason: failure.code });
    log.warn({ session, host, code: failure.code, reason: failure.message }, 'proxy refused');
    return {
      status: statusOf(failure.code),
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      body: JSON.stringify({ error: failure.code, message: PROXY_ERRORS[failure.code].message }),
    };
  }

  async function load(
    url: string,
    pageHost: string | null,
  ): Promise<CachedResource | ProxyFailure> {
    if (cache) {
      // A cache that fails (Redis away) is a miss, never a failed request.
      const hit = await cache.get(url).catch(() => null);
      metrics.cache.inc({ result: hit ? 'hit' : 'miss' });
      if (hit) return hit;
    } else {
      metrics.cache.inc({ result: 'disabled' });
    }
    const started = performance.now();
    const fetched = await fetchResource(url, pageHost, policy);
    metrics.upstreamLatency.observe(
      { outcome: fetched.ok ? 'ok' : fetched.code },
      (performance.now() - started) / 1000,
    );
    if (!fetched.ok) return fetched;
    const { resource } = fetched;
    const fresh = Math.min(freshnessMs(resource.headers, now()), options.maxCacheMs);
    const entry = {
      url: resource.url,
      type: resource.type,
      body: resource.body,
      expiresAt: now() + fresh,
    };
    if (cache && fresh > 0) {
      await cache.set(url, entry).catch((error: unknown) => {
        log.debug({ err: (error as Error).message }, 'proxy cache write failed');
      });
    }
    return entry;
  }

  return {
    async handle(path, requestHost) {
      const parsed = parseProxyPath(path);
      if (!parsed)
        return refuse({ ok: false, code: 'bad_token', message: 'not a proxy path' }, null, null);
      const { sessionId } = parsed;
      const verified = signer.verify(sessionId, parsed.token);
      if (!verified.ok) return refuse(verified, sessionId, null);
      let target: URL;
      try {
        target = new URL(verified.url);
      } catch {
        return refuse(
          { ok: false, code: 'bad_url', message: 'signed URL does not parse' },
          sessionId,
          null,
        );
      }
      const session = await store.getSession(sessionId);
      if (!session || session.status === 'ended')
        return refuse(
          { ok: false, code: 'session_gone', message: 'no live session' },
          sessionId,
          target.hostname,
        );

      // A resource on this very server (the demo shop's files): the agent loads it from here.
      if (target.host === requestHost && !target.pathname.startsWith('/proxy/')) {
        metrics.requests.inc({ outcome: 'redirected' });
        return {
          status: 302,
          headers: { Location: `${target.pathname}${target.search}`, 'Cache-Control': 'no-store' },
          body: '',
        };
      }

      const loaded = await load(verified.url, hostOf(session.origin));
      if ('ok' in loaded) return refuse(loaded, sessionId, target.hostname);

      let body: Buffer | string = loaded.body;
      if (loaded.type.kind === 'css') {
        // Through the one CSS rewriter; a sheet it cannot parse is served empty.
        body =
          rewriteCss(loaded.body.toString('utf8'), (raw) => {
            const url = proxiedUrl(signer, sessionId, raw, loaded.url);
            return url === NOTHING ? null : url;
          }) ?? '';
      }
      const remaining = Math.floor(Math.min(loaded.expiresAt, verified.expiresAt) - now()) / 1000;
      metrics.requests.inc({ outcome: 'served' });
      return {
        status: 200,
        headers: {
          'Content-Type': loaded.type.type,
          'Cache-Control': !cache
            ? 'no-store'
            : remaining >= 1
              ? `private, max-age=${Math.floor(remaining)}`
              : 'no-cache',
          'Content-Security-Policy': RESOURCE_CSP,
          'Cross-Origin-Resource-Policy': 'same-origin',
        },
        body,
      };
    },
  };
}
