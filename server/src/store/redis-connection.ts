/** Redis clients from the `cluster.redis` config: a URL or Sentinel, a password or its file, TLS. */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/index.ts';

export type RedisConfig = NonNullable<Config['cluster']['redis']>;

/**
 * `store` clients fail fast while Redis is away (the node keeps relaying and reports not ready);
 * `pubsub` clients queue and reconnect, since the adapter resubscribes when Redis returns.
 */
export function createRedisClient(config: RedisConfig, role: 'store' | 'pub' | 'sub'): Redis {
  const password = config.passwordFile
    ? readFileSync(config.passwordFile, 'utf8').trim()
    : config.password;
  const base: RedisOptions = {
    connectionName: `tandem-${role}`,
    lazyConnect: false,
    // Commands issued in one tick (a burst of batches, their relays) go out in one write: one
    // syscall instead of one each. Order on the connection is unchanged, so the Lua sequence
    // checks still see a session's messages as they arrived.
    enableAutoPipelining: role !== 'sub',
    // Reconnect forever, backing off to 2 s: a node outlives a Redis restart.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    ...(password ? { password } : {}),
    ...(config.tls || config.url?.startsWith('rediss://') ? { tls: {} } : {}),
    ...(role === 'store'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 }
      : { maxRetriesPerRequest: null }),
  };
  if (config.sentinel) {
    return new Redis({
      ...base,
      name: config.sentinel.masterName,
      sentinels: config.sentinel.nodes.map((node) => {
        const [host, port] = node.split(':');
        return { host: host ?? 'localhost', port: Number(port) };
      }),
      ...(config.sentinel.password ? { sentinelPassword: config.sentinel.password } : {}),
    });
  }
  return new Redis(config.url ?? 'redis://localhost:6379', base);
}
