/**
 * Builds the resource proxy and its URL signer from the validated config: the allowlist, the
 * SSRF policy (with the test harness's loopback stand-ins, read from the environment only), the
 * cache (none when `http-security.disableCaching` is on) and the forward proxy.
 */
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/index.ts';
import type { Registry } from 'prom-client';
import { createRedisClient } from '../store/redis-connection.ts';
import { createDomainAllowlist } from './allowlist.ts';
import { MemoryResourceCache, RedisResourceCache, type ResourceCache } from './cache.ts';
import type { ForwardProxy } from './connect.ts';
import type { FetchPolicy } from './fetch-resource.ts';
import { createProxyMetrics } from './proxy-metrics.ts';
import { createResourceProxy, type ResourceProxy } from './resource-proxy.ts';
import { systemResolver, type Resolver } from './resolver.ts';
import { createSigner, randomSigningKey, type ResourceSigner } from './signing.ts';
import { readProxyTestHooks } from './test-hooks.ts';

export interface ProxySetupDeps {
  store: Store;
  registry: Registry;
  log: Logger;
  /** Where the test hooks are read from; production passes `process.env` and sets none. */
  env: NodeJS.ProcessEnv;
  /**
   * The cache; default Redis with `cluster.redis` (shared by the nodes), else a memory cache of
   * `http-proxy.cacheMaxBytes`.
   */
  cache?: ResourceCache;
  resolver?: Resolver;
  now?: () => number;
}

export interface ProxySetup {
  signer: ResourceSigner;
  proxy: ResourceProxy;
  /** Closes what the proxy opened (its Redis connection). */
  close(): Promise<void>;
}

function forwardProxyOf(section: Config['forward-proxy']): ForwardProxy | null {
  if (!section.url) return null;
  const authorization =
    section.username === undefined
      ? null
      : `Basic ${Buffer.from(`${section.username}:${section.password ?? ''}`).toString('base64')}`;
  return { url: new URL(section.url), authorization };
}

export function setUpResourceProxy(config: Config, deps: ProxySetupDeps): ProxySetup {
  const section = config['http-proxy'];
  const now = deps.now ?? Date.now;
  if (!section.signingKey) {
    deps.log.warn(
      'http-proxy.signingKey is not set: resource URLs are signed with a random key of this process; a cluster needs one shared key',
    );
  }
  const signer = createSigner({
    key: section.signingKey ? Buffer.from(section.signingKey, 'utf8') : randomSigningKey(),
    ttlMs: section.urlTtlSeconds * 1000,
    now,
  });
  const hooks = readProxyTestHooks(deps.env);
  if (hooks) {
    deps.log.warn(
      { loopback: [...hooks.allowedTestAddresses] },
      'proxy test hooks are on: this node is for tests only',
    );
  }
  const forward = forwardProxyOf(config['forward-proxy']);
  const noProxy = createDomainAllowlist(config['forward-proxy'].noProxy);
  if (forward && !config['forward-proxy'].resolveLocally) {
    deps.log.warn(
      'forward-proxy.resolveLocally is off: the forward proxy must refuse internal addresses',
    );
  }
  const policy: FetchPolicy = {
    allowlist: createDomainAllowlist(section.allowedExternalDomains),
    allowedPorts: new Set(section.allowedPorts),
    maxRedirects: section.maxRedirects,
    maxBytes: section.maxResponseBytes,
    timeoutMs: section.timeoutSeconds * 1000,
    resolver: (hooks?.wrapResolver ?? ((r: Resolver) => r))(deps.resolver ?? systemResolver),
    addressPolicy: { allowedTestAddresses: hooks?.allowedTestAddresses ?? new Set() },
    forwardProxyFor: (host) => (forward && !noProxy.allows(host, null) ? forward : null),
    resolveLocally: config['forward-proxy'].resolveLocally,
  };
  const redisConfig = config.cluster.redis;
  const disabled = config['http-security'].disableCaching;
  const redis =
    !disabled && !deps.cache && redisConfig ? createRedisClient(redisConfig, 'store') : null;
  // Outages are the store's to report; for the cache they are only misses.
  redis?.on('error', () => undefined);
  const cache = disabled
    ? null
    : (deps.cache ??
      (redis && redisConfig
        ? new RedisResourceCache(redis, now, `${redisConfig.keyPrefix}proxy:`)
        : new MemoryResourceCache(section.cacheMaxBytes, now)));
  const proxy = createResourceProxy({
    signer,
    store: deps.store,
    policy,
    cache,
    maxCacheMs: section.cacheMaxTtlSeconds * 1000,
    metrics: createProxyMetrics(deps.registry),
    log: deps.log,
    now,
  });
  return {
    signer,
    proxy,
    async close() {
      await redis?.quit().catch(() => undefined);
    },
  };
}
