/**
 * The control policy as the page pipeline answers it: the DOM restrictions step keeps each
 * session's page and knows which nodes are read-only or masked. Looked up when asked, so that the
 * step may be registered after control is set up; with no such step every node counts as
 * read-only (control fails closed).
 */
import type { NodeId } from '../protocol/index.ts';
import type { PageRecord } from '../store/index.ts';
import type { ControlPolicy } from './control-service.ts';

/** What the restrictions step offers (it is matched by shape, not by import). */
interface RestrictionsLike {
  isReadOnly(sessionId: string, nodeId: NodeId): boolean;
  isMasked(sessionId: string, nodeId: NodeId): boolean;
  hasPage?(sessionId: string): boolean;
  syncPage?(sessionId: string, page: PageRecord): void;
}

function isRestrictions(step: unknown): step is RestrictionsLike {
  const s = step as Partial<RestrictionsLike> | null;
  return typeof s?.isReadOnly === 'function' && typeof s.isMasked === 'function';
}

export function controlPolicyFrom(
  steps: readonly unknown[],
  loadPage: (sessionId: string) => Promise<PageRecord>,
): ControlPolicy {
  const find = (): RestrictionsLike | undefined => steps.find(isRestrictions);
  return {
    async prepare(sessionId) {
      const step = find();
      // The customer may stream to another node: this node's copy is rebuilt from the store.
      if (step?.hasPage && step.syncPage && !step.hasPage(sessionId))
        step.syncPage(sessionId, await loadPage(sessionId));
    },
    isReadOnly: (sessionId, nodeId) => find()?.isReadOnly(sessionId, nodeId) ?? true,
    isMasked: (sessionId, nodeId) => find()?.isMasked(sessionId, nodeId) ?? true,
  };
}
