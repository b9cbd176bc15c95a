/**
 * Per-session message budget: a token bucket per session, so that a customer cannot exceed the
 * rate by opening several connections. Kept per node (the session's customer connects to one
 * node at a time); buckets of quiet sessions are pruned.
 */

export interface SessionRateOptions {
  /** Messages per second, with bursts of twice as many. */
  perSecond: number;
  /** Injected clock. Default `Date.now`. */
  now?: () => number;
  /** Buckets kept before idle ones are pruned. Default 10 000. */
  maxSessions?: number;
}

/** An empty bucket is full again after this long, whatever the rate. */
const REFILL_MS = 2000;

interface Bucket {
  tokens: number;
  last: number;
}

export class SessionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: SessionRateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Takes one message from the session's budget; false when it is spent. */
  take(sessionId: string): boolean {
    const now = this.now();
    const { perSecond } = this.options;
    let bucket = this.buckets.get(sessionId);
    if (!bucket) {
      if (this.buckets.size >= (this.options.maxSessions ?? 10_000)) this.prune(now);
      bucket = { tokens: perSecond * 2, last: now };
      this.buckets.set(sessionId, bucket);
    }
    bucket.tokens = Math.min(
      perSecond * 2,
      bucket.tokens + ((now - bucket.last) / 1000) * perSecond,
    );
    bucket.last = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  forget(sessionId: string): void {
    this.buckets.delete(sessionId);
  }

  /** Drops buckets that have refilled completely: they hold nothing a fresh one would not. */
  private prune(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (now - bucket.last > REFILL_MS) this.buckets.delete(id);
    }
  }
}
