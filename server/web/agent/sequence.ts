/**
 * Checks the customer's stream order on the agent's side. A snapshot sets the baseline; a batch
 * applies only if it is the next number. The page reaches an agent by two roads (the relay, and
 * the stored page its node sends on a join or a resync), so the same message may come twice and
 * an older one late: what is not newer than the baseline is ignored. On a gap the tracker asks
 * for a fresh snapshot and ignores batches until it arrives, asking again at most once per
 * `retryMs`; a gap whose request had to wait says when to ask (`retryDueInMs`).
 */
export type BatchVerdict = 'apply' | 'ignore' | 'resync';

export class SequenceTracker {
  private last = 0;
  private awaiting = true;
  private requestedAt = Number.NEGATIVE_INFINITY;
  /** A gap was seen while a request was too recent to repeat. */
  private owed = false;

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

  /** True when the snapshot is to be shown: one is awaited, or it is newer than what is shown. */
  snapshot(seq: number): boolean {
    if (!this.awaiting && seq <= this.last) return false;
    this.last = seq;
    this.awaiting = false;
    this.owed = false;
    return true;
  }

  batch(seq: number): BatchVerdict {
    if (!this.awaiting && seq <= this.last) return 'ignore';
    if (!this.awaiting && seq === this.last + 1) {
      this.last = seq;
      return 'apply';
    }
    this.awaiting = true;
    return this.request() ? 'resync' : 'ignore';
  }

  /**
   * When a gap is still waiting for its resync request: the milliseconds until it may be sent
   * (then call {@link retry}); null when nothing is owed.
   */
  get retryDueInMs(): number | null {
    if (!this.awaiting || !this.owed) return null;
    return Math.max(0, this.requestedAt + this.retryMs - this.now());
  }

  /** True when the owed resync request is to be sent now. */
  retry(): boolean {
    return this.awaiting && this.owed && this.request();
  }

  /** After a reconnect nothing is known: wait for the next snapshot. */
  reset(): void {
    this.awaiting = true;
    this.owed = false;
    this.requestedAt = Number.NEGATIVE_INFINITY;
  }

  private request(): boolean {
    const now = this.now();
    if (now - this.requestedAt < this.retryMs) {
      this.owed = true;
      return false;
    }
    this.requestedAt = now;
    this.owed = false;
    return true;
  }
}
