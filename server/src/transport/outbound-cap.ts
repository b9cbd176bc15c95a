/**
 * Per-connection outbound buffer caps. A peer that stops reading (an agent asking for resyncs
 * and never draining them) would make the node hold everything sent to it: what Engine.IO keeps
 * while its transport is busy, and what the WebSocket has not written to the kernel. Once the two
 * together pass `limits.maxOutboundBytes`, the connection is dropped at once (its buffers freed),
 * counted in `tandem_connections_dropped_total{reason="outbound_buffer_full"}` and logged; the
 * session it was part of goes on without it.
 */
import type { Socket } from 'socket.io';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/** Why a connection was dropped by the server; the `reason` of `tandem_connections_dropped_total`. */
export const CONNECTION_DROPS = {
  outbound_buffer_full:
    'The peer read more slowly than the server wrote: its buffers passed limits.maxOutboundBytes.',
} as const;

/** Just what is used of an Engine.IO connection. */
interface EngineConnection {
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  on(
    event: 'packetCreate',
    listener: (this: EngineConnection, packet: { data?: unknown }) => void,
  ): unknown;
  on(event: 'flush', listener: (this: EngineConnection) => void): unknown;
  close(discard?: boolean): unknown;
}

interface Watched {
  socket: Socket;
  /** `limits.maxOutboundBytes` of the namespace that watches the connection. */
  limit: number;
  /** Bytes of packets created since Engine.IO last flushed its buffer to the transport. */
  queued: number;
  dropped: boolean;
}

export interface OutboundCapOptions {
  namespace: 'customer' | 'agent';
  maxBytes: number;
  metrics: Metrics;
  log: Logger;
}

/** Every watched connection, by its Engine.IO connection (one watch each, whichever namespace). */
const watched = new WeakMap<EngineConnection, Watched>();

/**
 * Whether `socket` can take `bytes` more while its buffers stay within half of its cap (the
 * other half is the live stream's). True for a connection nobody watches.
 */
export function hasOutboundRoom(socket: Socket, bytes: number): boolean {
  const conn = socket.conn as unknown as EngineConnection;
  const state = watched.get(conn);
  if (!state) return true;
  if (state.dropped) return false;
  const pending = state.queued + (conn.transport.socket?.bufferedAmount ?? 0);
  return pending + bytes <= state.limit / 2;
}

/** Strings are counted by length: cheap, and exact for the JSON the protocol sends. */
const sizeOf = (data: unknown): number =>
  typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0;

/**
 * The cap of one namespace: returns what watches a connection. The two listeners are shared by
 * every connection (state is kept by connection), so that an idle socket carries no closures.
 */
export function createOutboundCap(options: OutboundCapOptions): (socket: Socket) => void {
  const { namespace, maxBytes, metrics, log } = options;

  function onFlush(this: EngineConnection): void {
    const state = watched.get(this);
    // What was flushed is the transport's now, counted in its bufferedAmount.
    if (state) state.queued = 0;
  }

  function onPacketCreate(this: EngineConnection, packet: { data?: unknown }): void {
    const state = watched.get(this);
    if (!state || state.dropped) return;
    state.queued += sizeOf(packet.data);
    const bytes = state.queued + (this.transport.socket?.bufferedAmount ?? 0);
    if (bytes <= maxBytes) return;
    state.dropped = true;
    metrics.connectionsDropped.inc({ namespace, reason: 'outbound_buffer_full' });
    log.warn(
      {
        namespace,
        socket: state.socket.id,
        session: (state.socket.data as { sessionId?: string } | undefined)?.sessionId,
        code: 'outbound_buffer_full',
        bytes,
        limit: maxBytes,
      },
      'connection dropped: outbound buffer full',
    );
    // After the emit that is under way: the peer's disconnect handlers then run as usual.
    process.nextTick(() => terminate(this));
  }

  return (socket) => {
    const conn = socket.conn as unknown as EngineConnection;
    // One Engine.IO connection may carry both namespaces; it is watched once.
    if (watched.has(conn)) return;
    watched.set(conn, { socket, limit: maxBytes, queued: 0, dropped: false });
    conn.on('flush', onFlush);
    conn.on('packetCreate', onPacketCreate);
  };
}

/** Closes at once: a WebSocket's close handshake would wait behind the bytes it cannot send. */
function terminate(conn: EngineConnection): void {
  const ws = conn.transport.socket;
  if (conn.transport.name === 'websocket' && ws?.terminate) ws.terminate();
  else conn.close(true);
}
