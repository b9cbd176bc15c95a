/** The store a node uses: Redis when `cluster.redis` is configured, else memory. */
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { MemoryStore } from './memory-store.ts';
import { createRedisClient } from './redis-connection.ts';
import { RedisStore } from './redis-store.ts';
import type { Store } from './store.ts';

/** Page data outlives its last write by this much beyond the session timeouts. */
const PAGE_TTL_MARGIN_MS = 120_000;

export function createStore(config: Config, log: Logger): Store {
  const redis = config.cluster.redis;
  if (!redis) {
    log.info('store: memory (one node; configure cluster.redis for several)');
    return new MemoryStore();
  }
  const client = createRedisClient(redis, 'store');
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) log.warn({ err: error.message }, 'store: redis unreachable');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info('store: redis is back');
    down = false;
  });
  const pageTtlMs =
    Math.max(config.session.idleTtlSeconds, config.session.unusedTtlSeconds) * 1000 +
    PAGE_TTL_MARGIN_MS;
  log.info({ sentinel: Boolean(redis.sentinel), prefix: redis.keyPrefix }, 'store: redis');
  return new RedisStore(client, { pageTtlMs, prefix: redis.keyPrefix });
}
