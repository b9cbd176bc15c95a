/**
 * The customer's continuity events: the page is being left (`page:navigating`), the page is
 * paused (`page:paused`), and a hand-off credential for another origin of the site
 * (`session:handoff`). Agents hear each as a `session:state`.
 */
import type { CustomerToServerEvents, PauseReason } from '../protocol/index.ts';
import {
  parseHandoffRequest,
  parseNavigatingNotice,
  parsePausedNotice,
  parseTabInfo,
} from '../protocol/validate-continuity.ts';
import { parseOrigin } from '../security/origins.ts';
import { customerActor } from '../security/audit-actors.ts';
import type { NamespaceDeps } from './customer-namespace.ts';
import { announceState } from './rooms.ts';
import type { Guard } from './socket-guard.ts';
import type { SessionData } from './socket-types.ts';

export interface ContinuityContext {
  data: SessionData;
  guard: Guard<CustomerToServerEvents>;
  deps: NamespaceDeps;
}

/**
 * Registers the handlers; returns what pauses the connection's page, for the snapshot handler to
 * call when a snapshot arrives from a pause page.
 */
export function attachCustomerContinuity({
  data,
  guard,
  deps,
}: ContinuityContext): (sessionId: string, reason?: PauseReason) => Promise<void> {
  const { sessions, namespaces, log } = deps;

  const pause = async (sessionId: string, reason: PauseReason = 'site'): Promise<void> => {
    data.paused = true;
    const result = await sessions.paused(sessionId, reason);
    if (result.ok && result.written) announceState(namespaces, result.session);
    log.info({ session: sessionId, reason }, 'customer page paused');
  };

  guard.on('page:navigating', parseNavigatingNotice, async ({ to }) => {
    const sessionId = data.sessionId;
    if (!sessionId) return guard.drop('page:navigating', 'not_in_session', 'start a session first');
    // The page may still change (or stay, when the navigation does not happen): it keeps streaming.
    const result = await sessions.navigating(sessionId, to);
    if (result.ok && result.written) announceState(namespaces, result.session);
  });

  guard.on('page:paused', parsePausedNotice, async ({ reason }) => {
    const sessionId = data.sessionId;
    if (!sessionId) return guard.drop('page:paused', 'not_in_session', 'start a session first');
    await pause(sessionId, reason);
  });

  guard.on('page:tab', parseTabInfo, async (tab) => {
    const sessionId = data.sessionId;
    if (!sessionId) return guard.drop('page:tab', 'not_in_session', 'start a session first');
    const result = await sessions.tab(sessionId, tab);
    if (result.ok && result.written) announceState(namespaces, result.session);
  });

  guard.on('session:handoff', parseHandoffRequest, async (req, ack) => {
    if (!ack) return guard.drop('session:handoff', 'invalid_message', 'needs an acknowledgement');
    const sessionId = data.sessionId;
    if (!sessionId)
      return guard.drop('session:handoff', 'not_in_session', 'start a session first', ack);
    const origin = parseOrigin(req.origin);
    if (origin === null || !deps.isSiteOrigin?.(origin)) {
      deps.audit?.('origin.refused', {
        session: sessionId,
        actor: customerActor(sessionId),
        target: req.origin.slice(0, 200),
        reason: 'forbidden_origin',
        detail: { namespace: 'customer' },
      });
      return guard.drop(
        'session:handoff',
        'forbidden_origin',
        'that origin is not of this site',
        ack,
      );
    }
    const result = await sessions.handoff(sessionId, origin);
    if (!result.ok) return guard.drop('session:handoff', result.code, result.message, ack);
    deps.audit?.('session.handoff', {
      session: sessionId,
      actor: customerActor(sessionId),
      target: origin,
    });
    ack({ ok: true, token: result.token, expiresAt: result.expiresAt });
  });

  return pause;
}
