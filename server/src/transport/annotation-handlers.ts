/**
 * Annotations on both namespaces. An agent draws (`annotation:draw`: a box around an element, or
 * a stroke) with the monitor privilege and without control; the customer's widget shows it in
 * its own overlay and every agent of the session sees it too. An agent takes its own drawings
 * away (`annotation:clear`); the customer takes everyone's (`annotation:dismiss`). Nothing is
 * stored: a drawing lasts seconds, and a page that reloads starts clean.
 */
import type { AgentToServerEvents, CustomerToServerEvents } from '../protocol/index.ts';
import { ANNOTATION_LIMITS } from '../protocol/index.ts';
import { parseAnnotationDraw } from '../protocol/validate.ts';
import { SessionRateLimiter } from '../security/rate-limits.ts';
import { isPaused } from '../session/continuity.ts';
import type { SessionRecord } from '../store/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { agentsRoom, customerRoom } from './rooms.ts';
import type { Guard } from './socket-guard.ts';
import type { AgentSocket, CustomerSocket, Namespaces } from './socket-types.ts';

export interface AnnotationDeps {
  /** The session as the store has it, to refuse drawings on a paused or ended page. */
  getSession(sessionId: string): Promise<SessionRecord | null>;
  /** Per agent of a session, `ANNOTATION_LIMITS.perSecond` with bursts of twice that. */
  drawRate: SessionRateLimiter;
  namespaces: Namespaces;
  log: Logger;
  metrics: Metrics;
}

/** One budget per node for every agent's drawings; its buckets are pruned when idle. */
export function createDrawRate(now?: () => number): SessionRateLimiter {
  return new SessionRateLimiter({ perSecond: ANNOTATION_LIMITS.perSecond, now });
}

export function attachAgentAnnotations(
  socket: AgentSocket,
  guard: Guard<AgentToServerEvents>,
  deps: AnnotationDeps,
): void {
  const data = socket.data;
  const { namespaces, metrics } = deps;

  guard.on('annotation:draw', parseAnnotationDraw, async (draw) => {
    const { sessionId, agentId } = data;
    if (!sessionId || !agentId)
      return guard.drop('annotation:draw', 'not_in_session', 'join a session first');
    if (!deps.drawRate.take(`${sessionId}/${agentId}`))
      return guard.drop('annotation:draw', 'rate_limited', 'too many drawings; slow down');
    const session = await deps.getSession(sessionId);
    if (!session || session.status === 'ended')
      return guard.drop('annotation:draw', 'session_ended', 'the session has ended');
    // A paused page is not shown to the agent, so nothing may be drawn on it either.
    if (isPaused(session)) return guard.drop('annotation:draw', 'paused', 'the page is paused');
    const annotation = { ...draw, agentId, name: data.agentName ?? 'Agent' };
    namespaces.customers.to(customerRoom(sessionId)).emit('annotation:show', annotation);
    namespaces.agents.to(agentsRoom(sessionId)).emit('annotation:show', annotation);
    metrics.messagesRelayed.inc({ event: 'annotation:draw' });
  });

  guard.onSignal('annotation:clear', () => {
    const { sessionId, agentId } = data;
    if (!sessionId || !agentId)
      return guard.drop('annotation:clear', 'not_in_session', 'join a session first');
    announceCleared(namespaces, sessionId, { agentId, by: 'agent' });
  });
}

export function attachCustomerAnnotations(
  socket: CustomerSocket,
  guard: Guard<CustomerToServerEvents>,
  deps: Pick<AnnotationDeps, 'namespaces' | 'log'>,
): void {
  const data = socket.data;
  guard.onSignal('annotation:dismiss', () => {
    const { sessionId } = data;
    if (!sessionId)
      return guard.drop('annotation:dismiss', 'not_in_session', 'start a session first');
    deps.log.info({ session: sessionId }, 'customer dismissed the drawings');
    announceCleared(deps.namespaces, sessionId, { agentId: null, by: 'customer' });
  });
}

function announceCleared(
  ns: Namespaces,
  sessionId: string,
  cleared: { agentId: string | null; by: 'agent' | 'customer' },
): void {
  ns.customers.to(customerRoom(sessionId)).emit('annotation:cleared', cleared);
  ns.agents.to(agentsRoom(sessionId)).emit('annotation:cleared', cleared);
}
