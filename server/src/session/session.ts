/**
 * The session state machine, as pure functions over a record: waiting → active → ended.
 * Each transition returns the next record or a failure; the service persists and announces it.
 */
import {
  failure,
  type EndReason,
  type Failure,
  type Participant,
  type SessionView,
} from '../protocol/index.ts';
import type { SessionRecord } from '../store/index.ts';

export interface SessionTimeouts {
  /** A session no agent joined expires this long after it started. */
  unusedTtlMs: number;
  /** Any other session expires this long after its last activity. */
  idleTtlMs: number;
}

export type Transition = { ok: true; session: SessionRecord } | Failure;

export function createSession(fields: {
  id: string;
  code: string;
  tokenHash: string;
  origin: string;
  url: string;
  now: number;
}): SessionRecord {
  return {
    id: fields.id,
    code: fields.code,
    status: 'waiting',
    createdAt: fields.now,
    lastActivityAt: fields.now,
    origin: fields.origin,
    url: fields.url,
    tokenHash: fields.tokenHash,
    agents: [],
    customerConnected: true,
    everJoined: false,
  };
}

export function joinAgent(
  session: SessionRecord,
  agent: Participant,
  maxAgents: number,
  now: number,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  const others = session.agents.filter((a) => a.id !== agent.id);
  if (others.length >= maxAgents) return failure('session_full');
  return {
    ok: true,
    session: {
      ...session,
      status: 'active',
      agents: [...others, agent],
      everJoined: true,
      lastActivityAt: now,
    },
  };
}

/** An agent left (or its connection closed). The session stays open for another agent. */
export function leaveAgent(session: SessionRecord, agentId: string, now: number): Transition {
  if (!session.agents.some((a) => a.id === agentId)) return failure('not_in_session');
  const agents = session.agents.filter((a) => a.id !== agentId);
  const status = session.status === 'ended' ? 'ended' : agents.length > 0 ? 'active' : 'waiting';
  return { ok: true, session: { ...session, agents, status, lastActivityAt: now } };
}

export function setCustomerConnected(
  session: SessionRecord,
  connected: boolean,
  now: number,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  return { ok: true, session: { ...session, customerConnected: connected, lastActivityAt: now } };
}

export function endSession(session: SessionRecord, reason: EndReason, now: number): Transition {
  if (session.status === 'ended') return failure('session_ended');
  return {
    ok: true,
    session: { ...session, status: 'ended', endedReason: reason, lastActivityAt: now },
  };
}

export function touchSession(session: SessionRecord, now: number): SessionRecord {
  return { ...session, lastActivityAt: now };
}

/** When the session expires if nothing else happens. */
export function expiresAt(session: SessionRecord, timeouts: SessionTimeouts): number {
  if (!session.everJoined) return session.createdAt + timeouts.unusedTtlMs;
  return session.lastActivityAt + timeouts.idleTtlMs;
}

export function expiryReason(session: SessionRecord): EndReason {
  return session.everJoined ? 'idle' : 'expired';
}

export function isExpired(session: SessionRecord, now: number, timeouts: SessionTimeouts): boolean {
  return now >= expiresAt(session, timeouts);
}

export function viewOf(session: SessionRecord): SessionView {
  return {
    sessionId: session.id,
    code: session.code,
    status: session.status,
    agents: session.agents.map((a) => ({ id: a.id, name: a.name })),
    customerConnected: session.customerConnected,
  };
}
