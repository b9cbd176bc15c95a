/** What every new connection gets, on either namespace: its guard, its meters, its session data. */
import type { Socket } from 'socket.io';
import type { NamespaceDeps } from './customer-namespace.ts';
import type { SessionData } from './rooms.ts';
import { guardSocket, type Guard, type InboundEvents } from './socket-guard.ts';
import { meterSocket } from './traffic-metrics.ts';

export interface Connection {
  socket: Socket<InboundEvents>;
  data: SessionData;
  guard: Guard;
}

export function openConnection(
  raw: Socket,
  namespace: 'customer' | 'agent',
  deps: NamespaceDeps,
): Connection {
  const { log, metrics } = deps;
  const socket = raw as Socket<InboundEvents>;
  const guard = guardSocket(socket, {
    namespace,
    log,
    metrics,
    messagesPerSecond: deps.messagesPerSecond,
    inFlight: deps.inFlight,
  });
  metrics.connections.inc({ namespace });
  socket.on('disconnect', () => metrics.connections.dec({ namespace }));
  meterSocket(socket, namespace, metrics);
  return { socket, data: socket.data as SessionData, guard };
}
