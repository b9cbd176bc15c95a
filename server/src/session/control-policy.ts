/**
 * The control policy as the page pipeline answers it: the DOM restrictions step keeps each
 * session's page and knows which nodes are read-only or masked. Looked up when asked, so that the
 * step may be registered after control is set up; with no such step every node counts as
 * read-only (control fails closed).
 *
 * The step's copy of a page is a cache that knows the store sequence it reflects. Before an
 * action is judged, the copy is compared with the store's sequence and caught up when behind:
 * on the agent's node (the customer streams to another one), and on a node the customer left.
 * An element made read-only after the copy was first built is read-only here too.
 */
import type { NodeId } from '../protocol/index.ts';
import type { PageRecord } from '../store/index.ts';
import type { ControlPolicy } from './control-service.ts';

/** What the restrictions step offers (it is matched by shape, not by import). */
interface RestrictionsLike {
  isReadOnly(sessionId: string, nodeId: NodeId): boolean;
  isMasked(sessionId: string, nodeId: NodeId): boolean;
  /** The store sequence its copy reflects; undefined when it has none. */
  pageSeq?(sessionId: string): number | undefined;
  syncPage?(sessionId: string, page: PageRecord): void;
}

/** Where the policy reads the stored page: its sequence alone (cheap), and all of it. */
export interface StoredPages {
  pageSeq(sessionId: string): Promise<number>;
  page(sessionId: string): Promise<PageRecord>;
}

function isRestrictions(step: unknown): step is RestrictionsLike {
  const s = step as Partial<RestrictionsLike> | null;
  return typeof s?.isReadOnly === 'function' && typeof s.isMasked === 'function';
}

/**
 * @param onCaughtUp told each time a copy was behind the store and was brought up to date (for
 *   the metric), with whether it had a copy at all.
 */
export function controlPolicyFrom(
  steps: readonly unknown[],
  stored: StoredPages,
  onCaughtUp?: (hadCopy: boolean) => void,
): ControlPolicy {
  const find = (): RestrictionsLike | undefined => steps.find(isRestrictions);
  return {
    async prepare(sessionId) {
      const step = find();
      if (!step?.pageSeq || !step.syncPage) return;
      const mine = step.pageSeq(sessionId);
      // One read of the sequence per action; the page itself only when the copy is behind.
      if (mine !== undefined && mine >= (await stored.pageSeq(sessionId))) return;
      step.syncPage(sessionId, await stored.page(sessionId));
      onCaughtUp?.(mine !== undefined);
    },
    isReadOnly: (sessionId, nodeId) => find()?.isReadOnly(sessionId, nodeId) ?? true,
    isMasked: (sessionId, nodeId) => find()?.isMasked(sessionId, nodeId) ?? true,
  };
}
