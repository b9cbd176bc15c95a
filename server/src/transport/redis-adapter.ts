/** Carries Socket.IO events between nodes through Redis: classic or sharded pub/sub. */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import type { Config } from '../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import { createRedisClient, type RedisConfig } from '../store/redis-connection.ts';

export interface AdapterConnections {
  pub: Redis;
  sub: Redis;
  close(): Promise<void>;
}

/** How long start-up waits for the adapter's connections before attaching anyway. */
const READY_WAIT_MS = 10_000;

function ready(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Attaches the adapter once both connections are ready (before the node listens): ioredis's
 * ready check must not meet a connection already in subscriber mode. A Redis that is away at
 * start-up does not keep the node down: after a bounded wait it attaches anyway and catches up.
 */
export async function attachRedisAdapter(
  io: Server,
  redis: RedisConfig,
  mode: Config['cluster']['adapter'],
  log: Logger,
  /**
   * Called when the subscription is back after its connection was lost: what other nodes
   * relayed meanwhile never arrived here, so this node's agents may be behind.
   */
  onResubscribed?: () => void,
): Promise<AdapterConnections> {
  const pub = createRedisClient(redis, 'pub');
  const sub = createRedisClient(redis, 'sub');
  for (const [role, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    // ioredis reconnects by itself; an unhandled 'error' event would crash the node.
    client.on('error', (error: Error) =>
      log.warn({ role, err: error.message }, 'redis adapter connection error'),
    );
  }
  const [pubReady, subReady] = await Promise.all([
    ready(pub, READY_WAIT_MS),
    ready(sub, READY_WAIT_MS),
  ]);
  if (!pubReady || !subReady) log.warn('redis is not reachable yet; attaching the adapter anyway');
  // ioredis writes the resubscriptions before it announces 'ready' (the event waits a tick).
  let lost = false;
  sub.on('close', () => (lost = true));
  sub.on('ready', () => {
    if (!lost) return;
    lost = false;
    log.info('redis adapter subscription restored');
    onResubscribed?.();
  });
  const key = `${redis.keyPrefix}socket.io`;
  io.adapter(
    mode === 'sharded'
      ? createShardedAdapter(pub, sub, { channelPrefix: key })
      : createAdapter(pub, sub, { key }),
  );
  log.info({ mode }, 'redis adapter attached');
  return {
    pub,
    sub,
    async close() {
      await Promise.all([
        pub.quit().catch(() => pub.disconnect()),
        sub.quit().catch(() => sub.disconnect()),
      ]);
    },
  };
}
