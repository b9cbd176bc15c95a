/**
 * Control of the customer's page, as pure transitions over the session record: an agent with the
 * control privilege asks, the customer answers, and either side may end it. The state is the
 * record's `control` field (any node may serve either side), changed only through the store's
 * atomic update, so that a revoke is never undone by a write of an older record.
 */
import { failure, type ControlStatus } from '../protocol/index.ts';
import type { SessionRecord } from '../store/index.ts';
import type { Transition } from './session.ts';

export type { ControlGrant } from '../store/index.ts';

export function statusOf(session: SessionRecord): ControlStatus {
  const control = session.control;
  return control
    ? { state: control.state, agentId: control.agentId, name: control.name }
    : { state: 'none', agentId: null, name: null };
}

/** Whether two records say the same about who controls the page. */
export function sameControl(a: SessionRecord, b: SessionRecord): boolean {
  return a.control?.agentId === b.control?.agentId && a.control?.state === b.control?.state;
}

/** An agent in the session asks; a pending or granted control of another agent is not taken over. */
export function requestControl(
  session: SessionRecord,
  agent: { id: string; name: string; subject?: string },
  now: number,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  if (!session.agents.some((a) => a.id === agent.id)) return failure('not_in_session');
  const current = session.control;
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
      control: {
        agentId: agent.id,
        name: agent.name,
        state: 'requested',
        since: now,
        ...(agent.subject !== undefined && { subject: agent.subject }),
      },
    },
  };
}

/** The customer answers the pending request of `agentId`. */
export function answerControl(
  session: SessionRecord,
  agentId: string,
  allow: boolean,
  now: number,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  const current = session.control;
  if (!current || current.agentId !== agentId || current.state !== 'requested')
    return failure('invalid_message', 'no pending control request from this agent');
  // The agent may have left between its request and the answer: nothing to grant then.
  if (allow && !session.agents.some((a) => a.id === agentId))
    return failure('not_in_session', 'the agent is no longer in the session');
  if (!allow) return { ok: true, session: { ...session, control: null } };
  return {
    ok: true,
    session: { ...session, control: { ...current, state: 'granted', since: now } },
  };
}

/** The customer revokes (no agent), or the agent releases: control ends. */
export function endControl(session: SessionRecord, agentId?: string): Transition {
  const current = session.control;
  if (!current) return failure('control_not_granted', 'nobody has control');
  if (agentId !== undefined && current.agentId !== agentId)
    return failure('control_not_granted', 'this agent has no control');
  return { ok: true, session: { ...session, control: null } };
}

/** Whether `agentId` may act on the page now. */
export function hasControl(session: SessionRecord, agentId: string): boolean {
  const current = session.control;
  return (
    session.status !== 'ended' &&
    current?.state === 'granted' &&
    current.agentId === agentId &&
    session.agents.some((a) => a.id === agentId)
  );
}
