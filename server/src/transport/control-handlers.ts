/**
 * The control events on both namespaces. The agent asks (`control:request`), the customer's widget
 * answers (`control:answer`), the agent acts (`control:action`, relayed only with consent and
 * never on read-only or masked nodes), and either ends it (`control:revoke`, `control:release`,
 * or the agent leaving). Both sides hear every change as `control:state`.
 */
import type {
  AgentToServerEvents,
  ControlStatus,
  CustomerToServerEvents,
} from '../protocol/index.ts';
import type { Audit } from '../security/audit.ts';
import { agentActorOf, customerActor } from '../security/audit-actors.ts';
import { isAuthorized } from '../security/agent-tokens.ts';
import { parseControlAction, parseControlAnswer, parseEmpty } from '../session/control-parse.ts';
import type { ControlService } from '../session/control-service.ts';
import { statusOf } from '../session/control.ts';
import { agentsRoom, customerRoom } from './rooms.ts';
import type { Guard } from './socket-guard.ts';
import type { AgentSocket, CustomerSocket, Namespaces } from './socket-types.ts';

export interface ControlHandlerDeps {
  control: ControlService;
  audit: Audit;
  now?: () => number;
}

/** Tells both sides who controls the page now. */
export function announceControl(ns: Namespaces, sessionId: string, status: ControlStatus): void {
  ns.customers.to(customerRoom(sessionId)).emit('control:state', status);
  ns.agents.to(agentsRoom(sessionId)).emit('control:state', status);
}

export function attachAgentControl(
  socket: AgentSocket,
  guard: Guard<AgentToServerEvents>,
  deps: ControlHandlerDeps,
  namespaces: Namespaces,
): void {
  const data = socket.data;
  const now = deps.now ?? Date.now;
  const { control, audit } = deps;

  guard.on('control:request', parseEmpty, async (_req, ack) => {
    const { sessionId, agentId, identity } = data;
    if (!sessionId || !agentId)
      return guard.drop('control:request', 'not_in_session', 'join a session first', ack);
    if (!isAuthorized(identity, 'cobrowse:control', now())) {
      audit('control.refused', {
        session: sessionId,
        actor: agentActorOf(identity),
        target: agentId,
        reason: 'forbidden',
      });
      return guard.drop('control:request', 'forbidden', 'the control privilege is required', ack);
    }
    const result = await control.request(sessionId, {
      id: agentId,
      name: data.agentName ?? 'Agent',
      ...(identity && { subject: identity.id }),
    });
    if (!result.ok) return guard.drop('control:request', result.code, result.message, ack);
    audit('control.requested', {
      session: sessionId,
      actor: agentActorOf(identity),
      target: agentId,
    });
    namespaces.customers
      .to(customerRoom(sessionId))
      .emit('control:request', { agentId, name: data.agentName ?? 'Agent' });
    announceControl(namespaces, sessionId, statusOf(result.session));
    ack?.({ ok: true });
  });

  guard.onSignal('control:release', async () => {
    const { sessionId, agentId } = data;
    if (!sessionId || !agentId)
      return guard.drop('control:release', 'not_in_session', 'join a session first');
    const result = await control.end(sessionId, agentId);
    if (!result.ok) return guard.drop('control:release', result.code, result.message);
    audit('control.released', {
      session: sessionId,
      actor: agentActorOf(data.identity),
      target: agentId,
      reason: 'released',
    });
    announceControl(namespaces, sessionId, statusOf(result.session));
  });

  guard.on('control:action', parseControlAction, async (action) => {
    const { sessionId, agentId, identity } = data;
    if (!sessionId || !agentId)
      return guard.drop('control:action', 'not_in_session', 'join a session first');
    const refuse = (
      code: 'forbidden' | 'control_not_granted' | 'read_only' | 'session_ended' | 'paused',
      message?: string,
    ): void => {
      // The node id acted on, never what the node holds.
      audit('control.refused', {
        session: sessionId,
        actor: agentActorOf(identity),
        target: String(action.target),
        reason: code,
      });
      guard.drop('control:action', code, message ?? code);
    };
    if (!isAuthorized(identity, 'cobrowse:control', now()))
      return refuse('forbidden', 'the control privilege is required');
    const verdict = await control.authorize(sessionId, agentId, action);
    if (!verdict.ok) {
      const code =
        verdict.code === 'read_only' ||
        verdict.code === 'session_ended' ||
        verdict.code === 'paused'
          ? verdict.code
          : 'control_not_granted';
      return refuse(code, verdict.message);
    }
    namespaces.customers.to(customerRoom(sessionId)).emit('control:action', { ...action, agentId });
  });
}

export function attachCustomerControl(
  socket: CustomerSocket,
  guard: Guard<CustomerToServerEvents>,
  deps: ControlHandlerDeps,
  namespaces: Namespaces,
): void {
  const data = socket.data;
  const { control, audit } = deps;

  guard.on('control:answer', parseControlAnswer, async (answer) => {
    const { sessionId } = data;
    if (!sessionId) return guard.drop('control:answer', 'not_in_session', 'start a session first');
    const result = await control.answer(sessionId, answer.agentId, answer.allow);
    if (!result.ok) return guard.drop('control:answer', result.code, result.message);
    // The target is the agent that asked: its token subject when it had one, and its name.
    const asked = result.previous.control;
    const target = asked?.subject ?? answer.agentId;
    const detail = { participant: answer.agentId, agentName: asked?.name ?? '' };
    if (answer.allow)
      audit('control.granted', {
        session: sessionId,
        actor: customerActor(sessionId),
        target,
        detail,
      });
    else
      audit('control.denied', {
        session: sessionId,
        actor: customerActor(sessionId),
        target,
        reason: 'customer_said_no',
        detail,
      });
    announceControl(namespaces, sessionId, statusOf(result.session));
  });

  guard.onSignal('control:revoke', async () => {
    const { sessionId } = data;
    if (!sessionId) return guard.drop('control:revoke', 'not_in_session', 'start a session first');
    const result = await control.end(sessionId);
    // Revoking when nobody has control is harmless: the customer's widget may be out of date.
    if (!result.ok) return;
    const held = result.previous.control;
    audit('control.revoked', {
      session: sessionId,
      actor: customerActor(sessionId),
      ...(held && {
        target: held.subject ?? held.agentId,
        detail: { participant: held.agentId, agentName: held.name },
      }),
    });
    announceControl(namespaces, sessionId, statusOf(result.session));
  });
}
