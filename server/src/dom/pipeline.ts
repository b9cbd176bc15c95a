/**
 * What the server does to a page before anyone else sees it. Every snapshot and batch the
 * customer sends passes through these steps, in order, before it is stored or relayed:
 * sanitize (nothing active), enforce DOM restrictions (mask what slipped through), rewrite
 * resource URLs (through the proxy). Each step is a pure-ish function of the session's context.
 *
 * What a step keeps per session is a bounded cache (session-cache.ts). A batch is judged against
 * it, so a step that has nothing for the session (evicted, or a node that never saw the
 * snapshot) cannot apply one: the pipeline then refuses the batch whole, and the caller asks the
 * customer for a fresh snapshot (`page_state_missing`), rather than relay an emptied batch.
 */
import type { PageBatch, PageSnapshot } from '../protocol/index.ts';

export interface PageContext {
  sessionId: string;
}

export interface PageStep {
  name: string;
  snapshot(ctx: PageContext, snapshot: PageSnapshot): PageSnapshot;
  batch(ctx: PageContext, batch: PageBatch): PageBatch;
  /**
   * For a step that keeps per-session state: whether it has the session's (a batch needs it).
   * Absent: the step keeps nothing a batch depends on.
   */
  hasSession?(sessionId: string): boolean;
  /** Forgets what the step kept for a session (its copy of the tree, for example). */
  forget?(sessionId: string): void;
}

export class PagePipeline {
  constructor(private readonly steps: readonly PageStep[]) {}

  snapshot(ctx: PageContext, snapshot: PageSnapshot): PageSnapshot {
    return this.steps.reduce((current, step) => step.snapshot(ctx, current), snapshot);
  }

  /** The batch as the agents may see it, or null when a step lacks the session's state. */
  batch(ctx: PageContext, batch: PageBatch): PageBatch | null {
    for (const step of this.steps) if (step.hasSession?.(ctx.sessionId) === false) return null;
    return this.steps.reduce((current, step) => step.batch(ctx, current), batch);
  }

  forget(sessionId: string): void {
    for (const step of this.steps) step.forget?.(sessionId);
  }
}
