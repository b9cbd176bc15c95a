/** The agent's side: join with a code, watch, point, leave or end. */
import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { parseJoinRequest, parsePointer } from '../protocol/validate.ts';
import type { PageRecord } from '../store/index.ts';
import {
  agentsRoom,
  announceEnded,
  announceState,
  customerRoom,
  type SessionData,
} from './rooms.ts';
import type { NamespaceDeps } from './customer-namespace.ts';
import { guardSocket, type InboundEvents } from './socket-guard.ts';

export function attachAgentNamespace(nsp: Namespace, deps: NamespaceDeps): void {
  const { sessions, namespaces, log, metrics } = deps;

  nsp.on('connection', (raw: Socket) => {
    const socket = raw as Socket<InboundEvents>;
    const data = socket.data as SessionData;
    const guard = guardSocket(socket, {
      namespace: 'agent',
      log,
      metrics,
      messagesPerSecond: deps.messagesPerSecond,
    });
    metrics.connections.inc({ namespace: 'agent' });

    /** Sends the stored page so that a joining agent sees it at once; asks the customer when there is none. */
    const catchUp = async (sessionId: string): Promise<void> => {
      const page: PageRecord = await sessions.catchUp(sessionId);
      if (!page.snapshot) {
        namespaces.customers
          .to(customerRoom(sessionId))
          .emit('page:resync', { reason: 'agent_joined' });
        return;
      }
      socket.emit('page:snapshot', page.snapshot);
      for (const batch of page.batches) socket.emit('page:batch', batch);
    };

    const leave = async (): Promise<void> => {
      const { sessionId, agentId } = data;
      if (!sessionId || !agentId) return;
      data.sessionId = undefined;
      void socket.leave(agentsRoom(sessionId));
      const session = await sessions.leave(sessionId, agentId);
      if (session) announceState(namespaces, session);
    };

    guard.on('session:join', parseJoinRequest, async (req, ack) => {
      if (!ack)
        return guard.drop(
          'session:join',
          'invalid_message',
          'session:join needs an acknowledgement',
        );
      if (data.sessionId) await leave();
      const agent = { id: data.agentId ?? randomUUID(), name: req.name?.trim() || 'Agent' };
      const result = await sessions.join(req, agent, deps.addressOf(socket));
      if (!result.ok) {
        log.warn({ code: result.code, address: deps.addressOf(socket) }, 'agent join refused');
        return guard.drop('session:join', result.code, result.message, ack);
      }
      data.sessionId = result.session.id;
      data.agentId = agent.id;
      data.agentName = agent.name;
      await socket.join(agentsRoom(result.session.id));
      log.info({ session: result.session.id, agent: agent.id }, 'agent joined');
      ack({ ok: true, sessionId: result.session.id, agentId: agent.id });
      announceState(namespaces, result.session);
      await catchUp(result.session.id);
    });

    guard.on('agent:pointer', parsePointer, (pointer) => {
      const { sessionId, agentId, agentName } = data;
      if (!sessionId || !agentId)
        return guard.drop('agent:pointer', 'not_in_session', 'join a session first');
      namespaces.customers.to(customerRoom(sessionId)).volatile.emit('agent:pointer', {
        agentId,
        name: agentName ?? 'Agent',
        x: pointer.x,
        y: pointer.y,
      });
    });

    guard.onSignal('page:resync', async () => {
      const { sessionId } = data;
      if (!sessionId) return guard.drop('page:resync', 'not_in_session', 'join a session first');
      await catchUp(sessionId);
    });

    guard.onSignal('session:leave', leave);

    guard.onSignal('session:end', async () => {
      const { sessionId } = data;
      if (!sessionId) return guard.drop('session:end', 'not_in_session', 'no session to end');
      data.sessionId = undefined;
      const ended = await sessions.end(sessionId, 'agent');
      if (ended) metrics.sessionsEnded.inc({ reason: 'agent' });
      log.info({ session: sessionId, agent: data.agentId }, 'session ended by agent');
      announceEnded(namespaces, sessionId, 'agent');
    });

    socket.on('disconnect', () => {
      metrics.connections.dec({ namespace: 'agent' });
      leave().catch((error: unknown) => log.error({ err: error }, 'agent disconnect failed'));
    });
  });
}
