/**
 * Agent access on the agent namespace: the handshake must carry a valid token
 * (`auth: { token }`), every event is authorized against the token's privileges and expiry, and
 * the connection is closed when the token expires.
 */
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { isAuthorized, type AgentIdentity, type TokenVerifier } from './agent-tokens.ts';
import type { Audit } from './audit.ts';
import type { Privilege } from './privileges.ts';

/**
 * The privilege each agent event needs; `null` means any authenticated agent whose token has not
 * expired (those events act only on the session the agent already joined or watches).
 */
export const EVENT_PRIVILEGES: Readonly<Record<string, Privilege | null>> = {
  'session:join': 'cobrowse:monitor',
  'session:watch': 'cobrowse:supervise',
  'sessions:list': 'cobrowse:supervise',
  'control:request': 'cobrowse:control',
  'control:action': 'cobrowse:control',
  'control:release': null,
  'session:leave': null,
  'session:end': null,
  'page:resync': null,
  'agent:pointer': null,
};

export interface AgentAccessDeps {
  verifier: TokenVerifier;
  log: Logger;
  metrics: Metrics;
  audit: Audit;
  addressOf: (socket: Socket) => string;
  now?: () => number;
}

/** The longest delay a timer can hold; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function identityOf(socket: Socket): AgentIdentity | undefined {
  return (socket.data as { identity?: AgentIdentity }).identity;
}

export function requireAgentAuth(nsp: Namespace, deps: AgentAccessDeps): void {
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
          deps.audit('agent.refused', { address: deps.addressOf(socket), reason: result.message });
          const error = new Error('unauthorized') as Error & { data?: unknown };
          error.data = { code: 'unauthorized', message: result.message };
          return next(error);
        }
        (socket.data as { identity?: AgentIdentity }).identity = result.identity;
        deps.audit('agent.authenticated', {
          agent: result.identity.id,
          agentName: result.identity.name,
          privileges: [...result.identity.privileges],
          address: deps.addressOf(socket),
        });
        next();
      })
      .catch((error: unknown) => {
        deps.log.error({ err: error }, 'agent authentication failed');
        next(new Error('internal'));
      });
  });

  nsp.on('connection', (socket: Socket) => {
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
        agent: identity.id,
        session: (socket.data as { sessionId?: string }).sessionId,
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

    // Runs before any handler: an event the token does not allow never reaches one.
    socket.use((packet, next) => {
      const [event] = packet;
      if (typeof event !== 'string' || !(event in EVENT_PRIVILEGES)) return next();
      const needed = EVENT_PRIVILEGES[event] ?? null;
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
        agent: identity.id,
        session: (socket.data as { sessionId?: string }).sessionId,
        event,
        reason: code,
      });
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (res: unknown) => void)({ ok: false, code, message });
      else socket.emit('protocol:error', { code, message, event });
      if (code === 'unauthorized') socket.disconnect(true);
    });
  });
}
