/**
 * `control:navigate`: an agent the customer gave control to presses back, forward or reload, or
 * opens a URL of the site. Refused without the control privilege, without consent, on a paused
 * page, and for a URL outside the site; the snippet checks consent and the origin again.
 */
import type { AgentToServerEvents } from '../protocol/index.ts';
import { parseNavigateAction } from '../protocol/validate-continuity.ts';
import { identityOf } from '../security/agent-access.ts';
import { agentActorOf } from '../security/audit-actors.ts';
import { isAuthorized } from '../security/agent-tokens.ts';
import type { ControlHandlerDeps } from './control-handlers.ts';
import type { NamespaceDeps } from './customer-namespace.ts';
import { customerRoom } from './rooms.ts';
import type { Guard } from './socket-guard.ts';
import type { AgentSocket } from './socket-types.ts';

export function attachAgentNavigation(
  socket: AgentSocket,
  guard: Guard<AgentToServerEvents>,
  control: ControlHandlerDeps,
  deps: NamespaceDeps,
): void {
  const now = control.now ?? Date.now;
  guard.on('control:navigate', parseNavigateAction, async (action) => {
    const { sessionId, agentId, agentName } = socket.data;
    if (!sessionId || !agentId)
      return guard.drop('control:navigate', 'not_in_session', 'join a session first');
    const identity = identityOf(socket);
    const refuse = (
      code: 'forbidden' | 'control_not_granted' | 'paused' | 'forbidden_origin' | 'session_ended',
      message: string,
    ): void => {
      control.audit('control.refused', {
        session: sessionId,
        actor: agentActorOf(identity),
        target: agentId,
        reason: code,
        detail: { navigate: action.go },
      });
      guard.drop('control:navigate', code, message);
    };
    if (!isAuthorized(identity, 'cobrowse:control', now()))
      return refuse('forbidden', 'the control privilege is required');
    if (action.go === 'url' && !deps.isSiteOrigin?.(new URL(action.url).origin))
      return refuse('forbidden_origin', 'that URL is not on an origin of the site');
    const verdict = await control.control.authorizeNavigation(sessionId, agentId);
    if (!verdict.ok) {
      const code =
        verdict.code === 'paused' || verdict.code === 'session_ended'
          ? verdict.code
          : 'control_not_granted';
      return refuse(code, verdict.message);
    }
    // The origin and path only: a query string may carry what the page holds.
    control.audit('control.navigated', {
      session: sessionId,
      actor: agentActorOf(identity),
      target: agentId,
      detail: {
        navigate: action.go,
        ...(action.go === 'url' && {
          url: new URL(action.url).origin + new URL(action.url).pathname,
        }),
      },
    });
    deps.namespaces.customers
      .to(customerRoom(sessionId))
      .emit('control:navigate', { ...action, agentId, name: agentName ?? 'Agent' });
  });
}
