/**
 * What each node keeps of a session's page (the pipeline steps' per-session caches) is freed on
 * every node when the session ends on any one: the node that ends it tells the others through
 * the adapter (`serverSideEmit`), since the other nodes' copies would otherwise linger until
 * their caches evict them. Also the catch-up counter of the control policy.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import type { Namespaces } from './socket-types.ts';

/** The inter-node event: a session ended; forget what you keep of it. */
export const FORGET_SESSION = 'session:forget';

/** Longest session id accepted from another node (ours are UUIDs). */
const MAX_ID_LENGTH = 64;

export interface PageCopiesDeps {
  namespaces: Namespaces;
  /** Frees what this node keeps of a session. */
  forget(sessionId: string): void;
  /** True when other nodes exist to tell (a Redis adapter); a lone node only forgets. */
  clustered: boolean;
  log: Logger;
}

/**
 * Listens for other nodes' ends; returns what to call when a session ends on this node (it
 * forgets here and tells the others).
 */
export function shareSessionEnds({
  namespaces,
  forget,
  clustered,
  log,
}: PageCopiesDeps): (sessionId: string) => void {
  if (!clustered) return forget;
  namespaces.agents.on(FORGET_SESSION, (sessionId: unknown) => {
    // Another node of the cluster; still parsed, as everything that arrives is.
    if (typeof sessionId !== 'string' || sessionId.length > MAX_ID_LENGTH) {
      log.warn({ event: FORGET_SESSION }, 'inter-node message refused');
      return;
    }
    forget(sessionId);
  });
  return (sessionId) => {
    forget(sessionId);
    namespaces.agents.serverSideEmit(FORGET_SESSION, sessionId);
  };
}

/** Counts each time control found a node's copy behind the store and caught it up. */
export function createCatchUpCounter(registry: Registry): (hadCopy: boolean) => void {
  const caughtUp = new Counter({
    name: 'tandem_page_copies_caught_up_total',
    help: 'Times a node caught its copy of a page up from the store before judging an agent action, by whether it had a copy (behind) or none',
    labelNames: ['copy'],
    registers: [registry],
  });
  return (hadCopy) => caughtUp.inc({ copy: hadCopy ? 'behind' : 'none' });
}
