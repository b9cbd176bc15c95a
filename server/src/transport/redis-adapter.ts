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

export function attachRedisAdapter(
  io: Server,
  redis: RedisConfig,
  mode: Config['cluster']['adapter'],
  log: Logger,
): AdapterConnections {
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
