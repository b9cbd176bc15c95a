/** What every new connection gets, on either namespace: its guard, its meters, its session data. */
import type { Namespace, Socket } from 'socket.io';
import type { AgentToServerEvents, CustomerToServerEvents } from '../protocol/index.ts';
import type { NamespaceDeps } from './customer-namespace.ts';
import { createGuardScope, guardSocket, type Guard, type GuardScope } from './socket-guard.ts';
import type { AgentSocket, CustomerSocket, SessionData } from './socket-types.ts';
import { createSocketMeter, type SocketMeter } from './traffic-metrics.ts';
import { createOutboundCap } from './outbound-cap.ts';
import { acceptNamespace } from './bounded-parser.ts';

/** `limits.maxOutboundBytes` when not given. */
export const DEFAULT_MAX_OUTBOUND_BYTES = 32 * 1024 * 1024;

/** Each namespace's socket type and client → server map. */
interface Sides {
  customer: { socket: CustomerSocket; events: CustomerToServerEvents };
  agent: { socket: AgentSocket; events: AgentToServerEvents };
}

export interface Connection<K extends keyof Sides> {
  socket: Sides[K]['socket'];
  data: SessionData;
  guard: Guard<Sides[K]['events']>;
}

/** What the connections of one namespace share, so that an idle socket holds no copy of it. */
interface NamespaceShared {
  guards: GuardScope;
  meter: SocketMeter;
  capOutbound: (socket: Socket) => void;
  onDisconnect: () => void;
}

const sharedByNamespace = new WeakMap<Namespace, NamespaceShared>();

function sharedFor(nsp: Namespace, namespace: keyof Sides, deps: NamespaceDeps): NamespaceShared {
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
      capOutbound: createOutboundCap({
        namespace,
        maxBytes: deps.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES,
        metrics,
        log,
      }),
      onDisconnect: () => metrics.connections.dec({ namespace }),
    };
    sharedByNamespace.set(nsp, shared);
  }
  return shared;
}

export function openConnection<K extends keyof Sides>(
  socket: Sides[K]['socket'],
  namespace: K,
  deps: NamespaceDeps,
): Connection<K> {
  const raw = socket as unknown as Socket;
  const shared = sharedFor(raw.nsp, namespace, deps);
  const guard = guardSocket<Sides[K]['events']>(raw, shared.guards);
  acceptNamespace(raw);
  deps.metrics.connections.inc({ namespace });
  raw.on('disconnect', shared.onDisconnect);
  shared.meter(raw);
  shared.capOutbound(raw);
  return { socket, data: socket.data, guard };
}
