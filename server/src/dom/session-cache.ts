/**
 * What a node keeps per session of a page (the restrictions step's copy of the tree, the
 * sanitizer's node kinds) is a cache: bounded, least recently used first out, and dropped when
 * the session ends on any node. A step that finds no entry asks for a fresh snapshot rather than
 * guess (see `PAGE_STATE_MISSING` in pipeline.ts), so an eviction costs a resync, never a wrong
 * page.
 */

/** The default bound: sessions whose state one step keeps on a node. */
export const DEFAULT_MAX_SESSIONS = 1000;

export interface SessionCacheOptions {
  /** Sessions kept; the least recently used is evicted beyond. Default {@link DEFAULT_MAX_SESSIONS}. */
  maxSessions?: number;
  /** Told of each eviction (not of a `delete`), for metrics. */
  onEvict?: (sessionId: string) => void;
}

export class SessionCache<T> {
  private readonly entries = new Map<string, T>();
  private readonly maxSessions: number;

  constructor(private readonly options: SessionCacheOptions = {}) {
    const max = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isInteger(max) || max < 1) throw new Error(`maxSessions must be ≥ 1, got ${max}`);
    this.maxSessions = max;
  }

  /** The session's entry, marked as just used. */
  get(sessionId: string): T | undefined {
    const value = this.entries.get(sessionId);
    if (value === undefined) return undefined;
    // Re-inserting keeps the map in least-recently-used order.
    this.entries.delete(sessionId);
    this.entries.set(sessionId, value);
    return value;
  }

  /** The session's entry without marking it used (answering a question is not using it). */
  peek(sessionId: string): T | undefined {
    return this.entries.get(sessionId);
  }

  has(sessionId: string): boolean {
    return this.entries.has(sessionId);
  }

  /** Keeps `value` as the session's entry, evicting the least recently used beyond the bound. */
  set(sessionId: string, value: T): void {
    this.entries.delete(sessionId);
    this.entries.set(sessionId, value);
    while (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
      this.options.onEvict?.(oldest);
    }
  }

  delete(sessionId: string): boolean {
    return this.entries.delete(sessionId);
  }

  get size(): number {
    return this.entries.size;
  }
}
