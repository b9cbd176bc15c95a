/**
 * A byte budget per minute: a token bucket that holds a minute's worth and refills continuously.
 * One connection's packed snapshots are charged to two of them (the bytes it sends, the bytes
 * they inflate to), so that deflate bombs cost the node a bounded amount of work per minute.
 */

export class ByteBudget {
  private tokens: number;
  private last: number;

  /**
   * @param perMinute bytes a minute, and the largest burst.
   * @param now injected clock. Default `Date.now`.
   */
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perMinute;
    this.last = now();
  }

  /** Bytes that may be spent now. */
  available(): number {
    const t = this.now();
    this.tokens = Math.min(
      this.perMinute,
      this.tokens + ((t - this.last) / 60_000) * this.perMinute,
    );
    this.last = t;
    return Math.floor(this.tokens);
  }

  /** Spends `bytes` when the budget has them; false (and nothing spent) when it does not. */
  take(bytes: number): boolean {
    if (this.available() < bytes) return false;
    this.tokens -= bytes;
    return true;
  }

  /** Gives back what a reservation did not use. */
  refund(bytes: number): void {
    this.tokens = Math.min(this.perMinute, this.tokens + bytes);
  }
}
