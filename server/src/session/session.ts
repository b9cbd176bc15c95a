/**
 * The session state machine, as pure transitions over a record: waiting → active → ended. Each
 * takes the current record and returns the next one (the same object when nothing changes), or a
 * failure. The store applies them atomically (`Store.update`) and may run one more than once when
 * another node wrote first, so none of them has an effect beyond its result.
 */
import { failure, type EndReason, type Participant, type SessionView } from '../protocol/index.ts';
import type { SessionRecord, TransitionResult } from '../store/index.ts';

export interface SessionTimeouts {
  /** A session no agent joined expires this long after it started. */
  unusedTtlMs: number;
  /** Any other session expires this long after its last activity. */
  idleTtlMs: number;
}

export type Transition = TransitionResult;

/** The store keeps a record this long past its expiry, so that the sweep can announce the end. */
const RECORD_SLACK_MS = 60_000;

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
    version: 0,
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
    control: null,
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

/**
 * An agent left (or its connection closed). The session stays open for another agent; control
 * the agent held or asked for ends in the same write, so that nobody can grant it meanwhile.
 */
export function leaveAgent(session: SessionRecord, agentId: string, now: number): Transition {
  if (!session.agents.some((a) => a.id === agentId)) return failure('not_in_session');
  const agents = session.agents.filter((a) => a.id !== agentId);
  const status = session.status === 'ended' ? 'ended' : agents.length > 0 ? 'active' : 'waiting';
  const control = session.control?.agentId === agentId ? null : session.control;
  return { ok: true, session: { ...session, agents, status, control, lastActivityAt: now } };
}

export function setCustomerConnected(
  session: SessionRecord,
  connected: boolean,
  now: number,
  connection?: string,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  // A tab that handed the session to another, leaving, leaves nothing: the other one shares.
  if (
    !connected &&
    connection !== undefined &&
    session.customerConnection !== undefined &&
    session.customerConnection !== connection
  )
    return failure('not_in_session', 'another connection of the customer is current');
  const next: SessionRecord = { ...session, customerConnected: connected, lastActivityAt: now };
  // The time the last tab went away is what agents see, and what the leave grace counts from.
  if (connected) delete next.customerLeftAt;
  else next.customerLeftAt ??= now;
  return { ok: true, session: next };
}

/** Ends the session: the record is removed with its code and page, in the same write. */
export function endSession(session: SessionRecord, reason: EndReason, now: number): Transition {
  if (session.status === 'ended') return failure('session_ended');
  return {
    ok: true,
    session: {
      ...session,
      status: 'ended',
      endedReason: reason,
      control: null,
      lastActivityAt: now,
    },
    remove: true,
  };
}

/** Page traffic keeps the session alive; only its activity time changes. */
export function touchSession(session: SessionRecord, now: number): Transition {
  if (session.status === 'ended') return failure('session_ended');
  if (session.lastActivityAt >= now) return { ok: true, session };
  return { ok: true, session: { ...session, lastActivityAt: now } };
}

/**
 * Ends the session if it is expired now, judged on the current record: activity written by
 * another node since the sweep listed it keeps it alive. Unchanged when it is not expired.
 */
export function expireSession(
  session: SessionRecord,
  now: number,
  timeouts: SessionTimeouts,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  if (!isExpired(session, now, timeouts)) return { ok: true, session };
  return endSession(session, expiryReason(session), now);
}

/** When the session expires if nothing else happens. */
export function expiresAt(session: SessionRecord, timeouts: SessionTimeouts): number {
  if (!session.everJoined) return session.createdAt + timeouts.unusedTtlMs;
  return session.lastActivityAt + timeouts.idleTtlMs;
}

/** How long the store keeps a record: until its expiry, and a little past it. */
export function recordTtlMs(
  session: SessionRecord,
  timeouts: SessionTimeouts,
  now: number,
): number {
  return Math.max(1, expiresAt(session, timeouts) - now) + RECORD_SLACK_MS;
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
    ...(session.page && { page: session.page }),
    ...(session.customerLeftAt !== undefined && { customerLeftAt: session.customerLeftAt }),
    ...(session.tab && { tab: session.tab }),
    ...(session.policyMismatch !== undefined && { policyMismatch: true }),
  };
}

/** The snippet reported the masking-policy hash `reported`; `expected` is the server's. */
export function reportPolicy(
  session: SessionRecord,
  reported: string,
  expected: string,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  const mismatch = reported === expected ? undefined : reported;
  if (session.policyMismatch === mismatch) return { ok: true, session };
  const next: SessionRecord = { ...session };
  if (mismatch === undefined) delete next.policyMismatch;
  else next.policyMismatch = mismatch;
  return { ok: true, session: next };
}
