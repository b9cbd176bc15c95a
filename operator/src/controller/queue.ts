/**
 * The work queue: one key (`namespace/name`) is never processed twice at once; an event for a key
 * in progress marks it dirty and runs it again after; failures retry with exponential backoff;
 * a reconcile may ask to be run again later. The timer is injected, so tests need no sleeps.
 */

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export interface QueueOptions {
  /** Keys processed at the same time (different keys only). Default 4. */
  concurrency?: number;
  /** First retry delay after a failure. Default 500 ms. */
  baseBackoffMs?: number;
  /** Longest retry delay. Default 60 s. */
  maxBackoffMs?: number;
  timers?: Timers;
}

export type ProcessKey = (key: string) => Promise<{ requeueAfterMs?: number }>;

export class WorkQueue {
  private readonly queued: string[] = [];
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { handle: unknown; due: number }>();
  private readonly concurrency: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timers: Timers;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly process: ProcessKey,
    options: QueueOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.baseBackoffMs = options.baseBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.timers = options.timers ?? realTimers;
  }

  /** Queues `key` now (once, however often it is added before it runs). */
  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (!this.queued.includes(key)) this.queued.push(key);
    this.pump();
  }

  /** Queues `key` after `ms`; an earlier pending time for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const due = this.timers.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.due <= due) return;
    if (existing) this.timers.clearTimeout(existing.handle);
    const handle = this.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { handle, due });
  }

  /** The retry delay after `failures` consecutive failures. */
  backoffMs(failures: number): number {
    return Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.max(0, failures - 1));
  }

  /** Resolves when nothing is queued or running (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.queued.length === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queued.length = 0;
    for (const { handle } of this.delayed.values()) this.timers.clearTimeout(handle);
    this.delayed.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.concurrency && this.queued.length > 0) {
      const key = this.queued.shift()!;
      this.active.add(key);
      void this.run(key);
    }
    if (this.queued.length === 0 && this.active.size === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      const outcome = await this.process(key);
      this.failures.delete(key);
      if (outcome.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } catch {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.addAfter(key, this.backoffMs(failures));
    } finally {
      this.active.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
