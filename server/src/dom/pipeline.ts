/**
 * What the server does to a page before anyone else sees it. Every snapshot and batch the
 * customer sends passes through these steps, in order, before it is stored or relayed:
 * sanitize (nothing active), enforce DOM restrictions (mask what slipped through), rewrite
 * resource URLs (through the proxy). Each step is a pure-ish function of the session's context.
 */
import type { PageBatch, PageSnapshot } from '../protocol/index.ts';

export interface PageContext {
  sessionId: string;
}

export interface PageStep {
  name: string;
  snapshot(ctx: PageContext, snapshot: PageSnapshot): PageSnapshot;
  batch(ctx: PageContext, batch: PageBatch): PageBatch;
  /** Forgets what the step kept for a session (its copy of the tree, for example). */
  forget?(sessionId: string): void;
}

export class PagePipeline {
  constructor(private readonly steps: readonly PageStep[]) {}

  snapshot(ctx: PageContext, snapshot: PageSnapshot): PageSnapshot {
    return this.steps.reduce((current, step) => step.snapshot(ctx, current), snapshot);
  }

  batch(ctx: PageContext, batch: PageBatch): PageBatch {
    return this.steps.reduce((current, step) => step.batch(ctx, current), batch);
  }

  forget(sessionId: string): void {
    for (const step of this.steps) step.forget?.(sessionId);
  }
}
