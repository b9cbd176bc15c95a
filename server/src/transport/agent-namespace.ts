/** The agent's side: join with a code, watch, point, leave or end. */
import { randomUUID } from 'node:crypto';
import type { JoinResult } from '../protocol/index.ts';
import { parseJoinRequest, parsePointer } from '../protocol/validate.ts';
import { identityOf } from '../security/agent-access.ts';
import { agentActorOf } from '../security/audit-actors.ts';
import { listSessions } from '../security/supervision.ts';
import { announceControl, attachAgentControl } from './control-handlers.ts';
import { parseEmpty, parseWatchRequest } from '../session/control-parse.ts';
import type { SessionRecord } from '../store/index.ts';
import { agentsRoom, announceState, customerRoom } from './rooms.ts';
import { sendStoredPage, socketTarget } from './stored-page.ts';
import { finishSession } from './session-end.ts';
import type { NamespaceDeps } from './customer-namespace.ts';
import { openConnection } from './connection.ts';
import type { AgentNamespace } from './socket-types.ts';
import { sameControl, statusOf } from '../session/control.ts';
import { attachAgentNavigation } from './agent-navigation.ts';
import { attachAgentAnnotations, createDrawRate } from './annotation-handlers.ts';

/**
 * Resyncs one agent connection may ask for: each sends the whole page again (the snapshot and its
 * batches), so a connection that asked in a loop would multiply the node's outbound bytes.
 */
export const RESYNC_INTERVAL_MS = 1000;

export function attachAgentNamespace(nsp: AgentNamespace, deps: NamespaceDeps): void {
  const { sessions, namespaces, log, metrics } = deps;
  const now = deps.now ?? Date.now;
  const drawings = {
    getSession: (sessionId: string) => sessions.get(sessionId),
    drawRate: createDrawRate(),
    namespaces,
    log,
    metrics,
  };

  nsp.on('connection', (raw) => {
    const { socket, data, guard } = openConnection(raw, 'agent', deps);

    /** Sends the stored page so that a joining agent sees it at once; asks the customer when there is none. */
    const catchUp = (sessionId: string): Promise<void> =>
      sendStoredPage(socketTarget(socket), sessionId, sessions, namespaces);

    const leave = async (): Promise<void> => {
      const { sessionId, agentId } = data;
      if (!sessionId || !agentId) return;
      data.sessionId = undefined;
      void socket.leave(agentsRoom(sessionId));
      const result = await sessions.leave(sessionId, agentId);
      if (result.ok) {
        // Control the agent held or asked for ended in the same write as its leaving.
        if (deps.control && !sameControl(result.previous, result.session)) {
          deps.control.audit('control.released', {
            session: sessionId,
            actor: agentActorOf(identityOf(socket)),
            target: agentId,
            reason: 'left',
          });
          announceControl(namespaces, sessionId, statusOf(result.session));
        }
        announceState(namespaces, result.session);
        // Only a leave from a live session: once it ended, its chain ends with the receipt.
        deps.audit?.('agent.left', {
          session: sessionId,
          actor: agentActorOf(identityOf(socket)),
          target: agentId,
        });
      }
    };

    /** Puts this connection in a session it was admitted to, and catches it up. */
    const enter = async (
      session: SessionRecord,
      agent: { id: string; name: string },
      ack: (res: JoinResult) => void,
      how: 'code' | 'supervisor',
    ): Promise<void> => {
      data.sessionId = session.id;
      data.agentId = agent.id;
      data.agentName = agent.name;
      await socket.join(agentsRoom(session.id));
      log.info({ session: session.id, agent: agent.id }, 'agent joined');
      deps.audit?.('agent.joined', {
        session: session.id,
        actor: agentActorOf(identityOf(socket)),
        target: agent.id,
        detail: { via: how, agentName: agent.name },
      });
      ack({ ok: true, sessionId: session.id, agentId: agent.id });
      announceState(namespaces, session);
      if (deps.control) socket.emit('control:state', statusOf(session));
      await catchUp(session.id);
    };

    guard.on('session:join', parseJoinRequest, async (req, ack) => {
      if (!ack)
        return guard.drop(
          'session:join',
          'invalid_message',
          'session:join needs an acknowledgement',
        );
      if (data.sessionId) await leave();
      const identity = identityOf(socket);
      // The token names the agent; the name typed in the console is only a fallback.
      const name = identity?.name ?? (req.name?.trim() || 'Agent');
      const agent = { id: data.agentId ?? randomUUID(), name };
      const attempter = { address: deps.addressOf(socket), agentId: identity?.id };
      const admitted = deps.codeAttempts
        ? await deps.codeAttempts.admit(attempter)
        : ({ ok: true } as const);
      if (!admitted.ok) {
        const reason = admitted.lockedOut ? 'locked_out' : 'rate_limited';
        deps.audit?.('code.refused', {
          actor: agentActorOf(identity),
          reason,
          detail: { address: attempter.address },
        });
        return guard.drop('session:join', 'rate_limited', admitted.message, ack);
      }
      const result = await sessions.join(req, agent, deps.addressOf(socket));
      if (!result.ok) {
        log.warn({ code: result.code, address: deps.addressOf(socket) }, 'agent join refused');
        deps.audit?.('code.refused', {
          actor: agentActorOf(identity),
          reason: result.code,
          detail: { address: attempter.address },
        });
        if (result.code === 'invalid_code' && (await deps.codeAttempts?.recordFailure(attempter)))
          deps.audit?.('code.locked_out', {
            actor: agentActorOf(identity),
            reason: 'too_many_failures',
            detail: { address: attempter.address },
          });
        return guard.drop('session:join', result.code, result.message, ack);
      }
      await enter(result.session, agent, ack, 'code');
    });

    guard.on('session:watch', parseWatchRequest, async (req, ack) => {
      if (!ack) return guard.drop('session:watch', 'invalid_message', 'needs an acknowledgement');
      const target = await sessions.get(req.sessionId);
      if (!target || target.status === 'ended')
        return guard.drop('session:watch', 'session_not_found', 'no such session', ack);
      if (data.sessionId) await leave();
      const agent = { id: data.agentId ?? randomUUID(), name: identityOf(socket)?.name ?? 'Agent' };
      const result = await sessions.watch(req, agent);
      if (!result.ok) return guard.drop('session:watch', result.code, result.message, ack);
      await enter(result.session, agent, ack, 'supervisor');
    });

    guard.on('sessions:list', parseEmpty, async (_req, ack) => {
      if (!ack) return guard.drop('sessions:list', 'invalid_message', 'needs an acknowledgement');
      const list = deps.sessionList ? await listSessions(deps.sessionList) : [];
      deps.audit?.('sessions.listed', {
        actor: agentActorOf(identityOf(socket)),
        detail: { count: list.length },
      });
      ack({ ok: true, sessions: list });
    });

    if (deps.control) {
      attachAgentControl(socket, guard, deps.control, namespaces);
      attachAgentNavigation(socket, guard, deps.control, deps);
    }

    attachAgentAnnotations(socket, guard, drawings);

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

    let lastResync = -Infinity;
    guard.onSignal('page:resync', async () => {
      const { sessionId } = data;
      if (!sessionId) return guard.drop('page:resync', 'not_in_session', 'join a session first');
      const t = now();
      if (t - lastResync < RESYNC_INTERVAL_MS)
        return guard.drop('page:resync', 'resync_limited', 'at most one resync a second');
      lastResync = t;
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
      await finishSession(deps, sessionId, 'agent', agentActorOf(identityOf(socket)));
    });

    socket.on('disconnect', () => {
      leave().catch((error: unknown) => log.error({ err: error }, 'agent disconnect failed'));
    });
  });
}
