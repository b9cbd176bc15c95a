/**
 * Agent access on the agent namespace: the handshake must carry a valid token
 * (`auth: { token }`), every event is authorized against the token's privileges and expiry, and
 * the connection is closed when the token expires.
 */
import type { Socket } from 'socket.io';
import type { AgentNamespace } from '../transport/socket-types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { isAuthorized, type AgentIdentity, type TokenVerifier } from './agent-tokens.ts';
import type { Audit } from './audit.ts';
import { agentActor, agentActorOf } from './audit-actors.ts';
import { privilegeFor } from './privileges.ts';

export interface AgentAccessDeps {
  verifier: TokenVerifier;
  log: Logger;
  metrics: Metrics;
  audit: Audit;
  addressOf: (socket: Socket) => string;
  now?: () => number;
}

/** Unknown events logged (and answered) per connection; beyond, they are only counted. */
const MAX_UNKNOWN_LOGGED = 5;

/** The longest delay a timer can hold; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function identityOf(socket: {
  data: { identity?: AgentIdentity };
}): AgentIdentity | undefined {
  return socket.data.identity;
}

export function requireAgentAuth(nsp: AgentNamespace, deps: AgentAccessDeps): void {
  const now = deps.now ?? Date.now;

  nsp.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token =
      typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    deps.verifier
      .verify(token)
      .then((result) => {
        if (!result.ok) {
          deps.metrics.messagesDropped.inc({
            namespace: 'agent',
            event: 'connect',
            reason: 'unauthorized',
          });
          deps.audit('agent.refused', {
            actor: agentActorOf(undefined),
            reason: result.code,
            detail: { address: deps.addressOf(socket), message: result.message.slice(0, 200) },
          });
          const error = new Error('unauthorized') as Error & { data?: unknown };
          error.data = { code: 'unauthorized', message: result.message };
          return next(error);
        }
        socket.data.identity = result.identity;
        deps.audit('agent.authenticated', {
          actor: agentActor(result.identity),
          detail: {
            privileges: [...result.identity.privileges],
            address: deps.addressOf(socket),
          },
        });
        next();
      })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'agent authentication failed');
        next(new Error('internal'));
      });
  });

  nsp.on('connection', (socket) => {
    const identity = identityOf(socket);
    if (!identity) {
      socket.disconnect(true);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expire = (): void => {
      const left = identity.expiresAt - now();
      if (left > 0) {
        timer = setTimeout(expire, Math.min(left, MAX_TIMER_MS));
        return;
      }
      deps.audit('agent.expired', {
        actor: agentActor(identity),
        session: socket.data.sessionId,
        reason: 'token_expired',
      });
      socket.emit('protocol:error', {
        code: 'unauthorized',
        message: 'the token has expired',
        event: 'auth',
      });
      socket.disconnect(true);
    };
    expire();
    socket.on('disconnect', () => clearTimeout(timer));

    // Runs before any handler: an event the token does not allow never reaches one, nor does an
    // event the protocol does not name (the first few per connection are logged, all counted).
    let unknownLogged = 0;
    socket.use((packet, next) => {
      const [event] = packet;
      const needed = privilegeFor(event);
      if (needed === 'unknown') {
        const name = typeof event === 'string' ? event.slice(0, 64) : typeof event;
        deps.metrics.messagesDropped.inc({
          namespace: 'agent',
          event: 'unknown',
          reason: 'unknown_event',
        });
        if (unknownLogged < MAX_UNKNOWN_LOGGED) {
          unknownLogged += 1;
          deps.log.warn(
            { namespace: 'agent', socket: socket.id, agent: identity.id, event: name },
            'message dropped: unknown event',
          );
          socket.emit('protocol:error', {
            code: 'unknown_event',
            message: 'the protocol has no such event',
            event: name,
          });
        }
        return;
      }
      if (typeof event !== 'string') return;
      const allowed =
        now() < identity.expiresAt && (needed === null || isAuthorized(identity, needed, now()));
      if (allowed) return next();
      const code = now() >= identity.expiresAt ? 'unauthorized' : 'forbidden';
      const message =
        code === 'unauthorized'
          ? 'the token has expired'
          : `${needed ?? 'a privilege'} is required`;
      deps.metrics.messagesDropped.inc({ namespace: 'agent', event, reason: code });
      deps.audit('agent.refused', {
        actor: agentActor(identity),
        session: socket.data.sessionId,
        target: event.slice(0, 64),
        reason: code,
      });
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (res: unknown) => void)({ ok: false, code, message });
      else socket.emit('protocol:error', { code, message, event });
      if (code === 'unauthorized') socket.disconnect(true);
    });
  });
}
