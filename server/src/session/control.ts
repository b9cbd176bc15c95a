/**
 * Control of the customer's page, as pure transitions over the session record: an agent with the
 * control privilege asks, the customer answers, and either side may end it. The state is kept in
 * the session record (any node may serve either side) under `control`.
 */
import { failure, type ControlStatus, type Failure } from '../protocol/index.ts';
import type { SessionRecord } from '../store/index.ts';

export interface ControlGrant {
  agentId: string;
  name: string;
  state: 'requested' | 'granted';
  /** When the request was made or granted (ms since epoch). */
  since: number;
}

/** The session record with its control state (stored with it, ignored by everything else). */
export type ControlledSession = SessionRecord & { control?: ControlGrant };

export type ControlTransition = { ok: true; session: ControlledSession } | Failure;

export function controlOf(session: SessionRecord): ControlGrant | undefined {
  return (session as ControlledSession).control;
}

export function statusOf(session: SessionRecord): ControlStatus {
  const control = controlOf(session);
  return control
    ? { state: control.state, agentId: control.agentId, name: control.name }
    : { state: 'none', agentId: null, name: null };
}

function without(session: ControlledSession): ControlledSession {
  const next = { ...session };
  delete next.control;
  return next;
}

/** An agent in the session asks; a pending or granted control of another agent is not taken over. */
export function requestControl(
  session: SessionRecord,
  agent: { id: string; name: string },
  now: number,
): ControlTransition {
  if (session.status === 'ended') return failure('session_ended');
  if (!session.agents.some((a) => a.id === agent.id)) return failure('not_in_session');
  const current = controlOf(session);
  if (current && current.agentId !== agent.id)
    return failure(
      'forbidden',
      `${current.name} already ${current.state === 'granted' ? 'has' : 'asked for'} control`,
    );
  if (current?.state === 'granted') return { ok: true, session };
  return {
    ok: true,
    session: {
      ...session,
      control: { agentId: agent.id, name: agent.name, state: 'requested', since: now },
    },
  };
}

/** The customer answers the pending request of `agentId`. */
export function answerControl(
  session: SessionRecord,
  agentId: string,
  allow: boolean,
  now: number,
): ControlTransition {
  const current = controlOf(session);
  if (!current || current.agentId !== agentId || current.state !== 'requested')
    return failure('invalid_message', 'no pending control request from this agent');
  if (!allow) return { ok: true, session: without(session) };
  return {
    ok: true,
    session: { ...session, control: { ...current, state: 'granted', since: now } },
  };
}

/** The customer revokes, the agent releases, or the agent left: control ends. */
export function endControl(session: SessionRecord, agentId?: string): ControlTransition {
  const current = controlOf(session);
  if (!current) return failure('control_not_granted', 'nobody has control');
  if (agentId !== undefined && current.agentId !== agentId)
    return failure('control_not_granted', 'this agent has no control');
  return { ok: true, session: without(session) };
}

/** Whether `agentId` may act on the page now. */
export function hasControl(session: SessionRecord, agentId: string): boolean {
  const current = controlOf(session);
  return session.status !== 'ended' && current?.state === 'granted' && current.agentId === agentId;
}
