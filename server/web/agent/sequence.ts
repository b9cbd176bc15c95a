/**
 * Checks the customer's stream order on the agent's side. A snapshot sets the baseline; a batch
 * applies only if it is the next number. On a gap the tracker asks for a fresh snapshot and
 * ignores batches until it arrives, asking again at most once per `retryMs`.
 */
export type BatchVerdict = 'apply' | 'ignore' | 'resync';

export class SequenceTracker {
  private last = 0;
  private awaiting = true;
  private requestedAt = Number.NEGATIVE_INFINITY;

  /**
   * @param now the clock, injected for tests
   * @param retryMs least time between two resync requests (default 2000)
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly retryMs = 2000,
  ) {}

  get lastSeq(): number {
    return this.last;
  }

  /** True until a snapshot arrives (and again after a gap). */
  get isAwaitingSnapshot(): boolean {
    return this.awaiting;
  }

  snapshot(seq: number): void {
    this.last = seq;
    this.awaiting = false;
  }

  batch(seq: number): BatchVerdict {
    if (!this.awaiting && seq === this.last + 1) {
      this.last = seq;
      return 'apply';
    }
    this.awaiting = true;
    const now = this.now();
    if (now - this.requestedAt < this.retryMs) return 'ignore';
    this.requestedAt = now;
    return 'resync';
  }

  /** After a reconnect nothing is known: wait for the next snapshot. */
  reset(): void {
    this.awaiting = true;
    this.requestedAt = Number.NEGATIVE_INFINITY;
  }
}
