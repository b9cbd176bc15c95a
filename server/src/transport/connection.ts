/** What every new connection gets, on either namespace: its guard, its meters, its session data. */
import type { Namespace, Socket } from 'socket.io';
import type { NamespaceDeps } from './customer-namespace.ts';
import type { SessionData } from './rooms.ts';
import {
  createGuardScope,
  guardSocket,
  type Guard,
  type GuardScope,
  type InboundEvents,
} from './socket-guard.ts';
import { createSocketMeter, type SocketMeter } from './traffic-metrics.ts';

export interface Connection {
  socket: Socket<InboundEvents>;
  data: SessionData;
  guard: Guard;
}

/** What the connections of one namespace share, so that an idle socket holds no copy of it. */
interface NamespaceShared {
  guards: GuardScope;
  meter: SocketMeter;
  onDisconnect: () => void;
}

const sharedByNamespace = new WeakMap<Namespace, NamespaceShared>();

function sharedFor(
  nsp: Namespace,
  namespace: 'customer' | 'agent',
  deps: NamespaceDeps,
): NamespaceShared {
  let shared = sharedByNamespace.get(nsp);
  if (!shared) {
    const { log, metrics } = deps;
    shared = {
      guards: createGuardScope({
        namespace,
        log,
        metrics,
        messagesPerSecond: deps.messagesPerSecond,
        inFlight: deps.inFlight,
      }),
      meter: createSocketMeter(namespace, metrics),
      onDisconnect: () => metrics.connections.dec({ namespace }),
    };
    sharedByNamespace.set(nsp, shared);
  }
  return shared;
}

export function openConnection(
  raw: Socket,
  namespace: 'customer' | 'agent',
  deps: NamespaceDeps,
): Connection {
  const shared = sharedFor(raw.nsp, namespace, deps);
  const socket = raw as Socket<InboundEvents>;
  const guard = guardSocket(socket, shared.guards);
  deps.metrics.connections.inc({ namespace });
  socket.on('disconnect', shared.onDisconnect);
  shared.meter(socket);
  return { socket, data: socket.data as SessionData, guard };
}
