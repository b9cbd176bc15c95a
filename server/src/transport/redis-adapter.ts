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

/** Just what skipIdleEncodes uses of a Socket.IO adapter (socket.io-adapter 2.5). */
interface BroadcastingAdapter {
  rooms: Map<string, Set<string>>;
  broadcast(packet: object, opts: { rooms: Set<string> }): unknown;
  _encode(packet: object, packetOpts: object): unknown[];
}

/** True when a socket of this node is in one of the rooms (or the broadcast is to everyone). */
function hasLocalTarget(rooms: Map<string, Set<string>>, targets: Set<string>): boolean {
  if (targets.size === 0) return true;
  for (const room of targets) if ((rooms.get(room)?.size ?? 0) > 0) return true;
  return false;
}

/**
 * A broadcast goes to the other nodes through Redis and to this node's own sockets; Socket.IO
 * encodes it for the latter (JSON, and a ready WebSocket frame) before it looks for any. Most
 * relays have no receiver here (the customer's node rarely holds the agents), so the local
 * encode is skipped when no socket of this node is in the target rooms, judged at the moment
 * the local delivery runs (the sharded adapter delivers after its publish). What other nodes
 * send, and every broadcast with a local receiver, is encoded as before.
 */
export function skipIdleEncodes<A extends object>(adapter: A): A {
  const target = adapter as unknown as BroadcastingAdapter;
  const broadcast = target.broadcast.bind(target);
  const encode = target._encode.bind(target);
  const pending = new WeakMap<object, Set<string>>();
  target.broadcast = (packet, opts) => {
    pending.set(packet, opts.rooms);
    return broadcast(packet, opts);
  };
  target._encode = (packet, packetOpts) => {
    const rooms = pending.get(packet);
    if (rooms) pending.delete(packet);
    return rooms && !hasLocalTarget(target.rooms, rooms) ? [] : encode(packet, packetOpts);
  };
  return adapter;
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
  const base =
    mode === 'sharded'
      ? createShardedAdapter(pub, sub, { channelPrefix: key })
      : createAdapter(pub, sub, { key });
  // Socket.IO builds each namespace's adapter with `new`: a function (not an arrow) returning it.
  io.adapter(function tandemAdapter(nsp: unknown) {
    return skipIdleEncodes((base as (nsp: unknown) => object)(nsp));
  } as unknown as Parameters<Server['adapter']>[0]);
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
