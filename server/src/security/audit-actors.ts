/**
 * The actors audit records name. Agents are named by their token (subject, name; a token with
 * the supervise privilege is a supervisor's); the customer has no token, so a session's customer
 * is named by the session; what the node does on its own (expiry, housekeeping) is the system's.
 */
import type { AuditActor } from './audit-catalogue.ts';
import type { AgentIdentity } from './agent-tokens.ts';

/** The actor of an authenticated agent's event. */
export function agentActor(identity: AgentIdentity): AuditActor {
  return {
    subject: identity.id,
    name: identity.name,
    role: identity.privileges.has('cobrowse:supervise') ? 'supervisor' : 'agent',
  };
}

/**
 * The actor of an agent connection that may not be authenticated yet (refused at the handshake):
 * `anonymous` until a token names it.
 */
export function agentActorOf(identity: AgentIdentity | undefined): AuditActor {
  return identity ? agentActor(identity) : { subject: 'anonymous', name: '', role: 'agent' };
}

/** The customer of `sessionId` (or a customer with no session yet). */
export function customerActor(sessionId?: string): AuditActor {
  return {
    subject: sessionId ? `customer:${sessionId}` : 'customer',
    name: 'Customer',
    role: 'customer',
  };
}

/** The node itself: expiry, housekeeping, a refused connection nobody is named for. */
export const SYSTEM_ACTOR: AuditActor = { subject: 'system', name: 'Tandem', role: 'system' };
