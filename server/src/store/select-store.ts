/** The store a node uses: Redis when `cluster.redis` is configured, else memory. */
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { MemoryStore } from './memory-store.ts';
import { createRedisClient } from './redis-connection.ts';
import { RedisStore } from './redis-store.ts';
import type { Store } from './store.ts';
import type { CasLoopOptions } from './compare-and-set.ts';

/** Page data outlives its last write by this much beyond the session timeouts. */
const PAGE_TTL_MARGIN_MS = 120_000;

/**
 * `updates` carries the update loop's conflict hook (for the metric) and, in tests only, the
 * injected latency (see {@link readStoreTestLatency}).
 */
export function createStore(config: Config, log: Logger, updates: CasLoopOptions = {}): Store {
  const redis = config.cluster.redis;
  if (!redis) {
    log.info('store: memory (one node; configure cluster.redis for several)');
    return new MemoryStore(Date.now, { updates });
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
  return new RedisStore(client, { pageTtlMs, prefix: redis.keyPrefix, updates });
}

/** The only way to slow the store down: a variable the test harness sets on the nodes it starts. */
export const STORE_LATENCY_ENV = 'TANDEM_TEST_STORE_LATENCY_MS';

/**
 * `TANDEM_TEST_STORE_LATENCY_MS=1-3`: every session update waits that many milliseconds (uniform)
 * between its read and its write, so that tests across real nodes reproduce a busy cluster's
 * races. Not a config option; absent (always so in production) it returns undefined.
 */
export function readStoreTestLatency(
  env: NodeJS.ProcessEnv,
): CasLoopOptions['beforeWrite'] | undefined {
  const match = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(env[STORE_LATENCY_ENV] ?? '');
  if (!match) return undefined;
  const low = Number(match[1]);
  const high = Math.max(low, Number(match[2] ?? match[1]));
  return () => new Promise((resolve) => setTimeout(resolve, low + Math.random() * (high - low)));
}
