/**
 * Bytes in and out of every connection, and the relay latency of live batches: the customer's
 * node stamps `relayedAt` when it accepts a batch; the agent's node, on whichever machine,
 * observes the time to the moment it writes the batch to the agent.
 */
import type { Socket } from 'socket.io';
import type { Metrics } from '../observability/metrics.ts';

const BATCH_PREFIX = '["page:batch",{"seq":';
const RELAYED_AT = /"relayedAt":(\d+)/;

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof Uint8Array) return data.byteLength;
  return 0;
}

/** Meters a connection of the namespace it was made for. */
export type SocketMeter = (socket: Socket) => void;

/**
 * The meter of one namespace. Its two listeners are built once and shared by every connection
 * (they need nothing of the socket), so that an idle socket carries no closures of its own.
 */
export function createSocketMeter(
  namespace: 'customer' | 'agent',
  metrics: Metrics,
  now: () => number = Date.now,
): SocketMeter {
  const onPacket = (packet: { data?: unknown }): void =>
    void metrics.bytesReceived.inc({ namespace }, sizeOf(packet.data));
  const onPacketCreate = (packet: { data?: unknown }): void => {
    metrics.bytesSent.inc({ namespace }, sizeOf(packet.data));
    if (namespace !== 'agent' || typeof packet.data !== 'string') return;
    // Only the head of the frame is looked at: the customer's node puts `relayedAt` right after
    // seq and sentAt, before the ops (customer-namespace.ts).
    const head = packet.data.slice(0, 160);
    if (!head.includes(BATCH_PREFIX)) return;
    const stamp = RELAYED_AT.exec(head);
    if (stamp?.[1]) metrics.relayLatency.observe(Math.max(0, now() - Number(stamp[1])) / 1000);
  };
  return (socket) => {
    socket.conn.on('packet', onPacket);
    socket.conn.on('packetCreate', onPacketCreate);
  };
}
