/**
 * A node's periodic chores: end expired sessions and tell their participants; watch the store,
 * and when it returns after an outage, ask the customers whose pages went unstored for a fresh
 * snapshot; keep the gauges of what this node serves.
 */
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SessionService } from '../session/service.ts';
import type { Store } from '../store/index.ts';
import type { Audit } from '../security/audit.ts';
import { SYSTEM_ACTOR } from '../security/audit-actors.ts';
import { customerRoom } from './rooms.ts';
import { resendStoredPages } from './stored-page.ts';
import { finishSession, type ReceiptSource } from './session-end.ts';
import type { Namespaces, SessionData } from './socket-types.ts';

export interface HousekeepingDeps {
  sessions: SessionService;
  store: Store;
  namespaces: Namespaces;
  metrics: Metrics;
  log: Logger;
  /** Records each expired session's end (the system's doing). */
  audit?: Audit;
  /** The audit chain's records, for each expired session's receipt. */
  receipts?: ReceiptSource;
  sweepIntervalMs?: number;
  healthIntervalMs?: number;
}

export interface Housekeeping {
  /**
   * This node missed relays (its subscription was away): its agents get the stored pages once
   * the store answers, on the next health check.
   */
  relaysMissed(): void;
  stop(): void;
}

export function startHousekeeping(deps: HousekeepingDeps): Housekeeping {
  const { sessions, store, namespaces, metrics, log } = deps;
  let healthy = true;
  let agentsBehind = false;

  const sweep = async (): Promise<void> => {
    if (!healthy) return;
    for (const session of await sessions.sweep()) {
      const reason = session.endedReason ?? 'expired';
      metrics.sessionsEnded.inc({ reason });
      log.info({ session: session.id, reason }, 'session expired');
      await finishSession(deps, session.id, reason, SYSTEM_ACTOR);
    }
  };

  const countLocal = (): void => {
    const inSession = (sockets: Iterable<{ data: unknown }>): number => {
      let n = 0;
      for (const socket of sockets) if ((socket.data as SessionData).sessionId) n += 1;
      return n;
    };
    metrics.activeSessions.set(inSession(namespaces.customers.sockets.values()));
    metrics.activeAgents.set(inSession(namespaces.agents.sockets.values()));
  };

  const checkHealth = async (): Promise<void> => {
    const now = await store.isHealthy();
    metrics.storeReady.set(now ? 1 : 0);
    countLocal();
    // Not only on a down→up edge: an outage shorter than one check still left pages unstored.
    const ids = now ? sessions.takeUnstored() : [];
    if (ids.length > 0) {
      log.info({ sessions: ids.length }, 'store answers again; asking for fresh snapshots');
      for (const id of ids)
        namespaces.customers.to(customerRoom(id)).emit('page:resync', { reason: 'compact' });
    }
    healthy = now;
    if (now && agentsBehind) {
      agentsBehind = false;
      try {
        const count = await resendStoredPages(sessions, namespaces);
        log.info(
          { sessions: count },
          'relays were missed; stored pages sent to this node’s agents',
        );
      } catch (error) {
        agentsBehind = true; // the next check tries again
        throw error;
      }
    }
  };

  const sweeper = setInterval(
    () => sweep().catch((error: unknown) => log.error({ err: error }, 'session sweep failed')),
    deps.sweepIntervalMs ?? 5000,
  );
  const health = setInterval(
    () => checkHealth().catch((error: unknown) => log.error({ err: error }, 'health check failed')),
    deps.healthIntervalMs ?? 1000,
  );
  sweeper.unref();
  health.unref();
  return {
    relaysMissed() {
      agentsBehind = true;
    },
    stop() {
      clearInterval(sweeper);
      clearInterval(health);
    },
  };
}
