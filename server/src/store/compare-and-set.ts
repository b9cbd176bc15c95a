/**
 * The update loop both stores share: read the record, apply the pure transition, write the result
 * only over the version read, and on a conflict read again. Each store supplies the two primitives
 * (a read and a compare-and-set); the loop, its bound and its back-off are the same everywhere.
 */
import { failure } from '../protocol/index.ts';
import type { SessionRecord, SessionTransition, UpdateOptions, UpdateResult } from './store.ts';

/** What a compare-and-set did: wrote, found another version, or found no record at all. */
export type CasOutcome = 'written' | 'conflict' | 'gone';

export interface CasPrimitives {
  read(id: string): Promise<SessionRecord | null>;
  /**
   * Writes `next` (or removes the session when null) if the stored version is still the one of
   * `previous`, the record the transition was given. `ttlMs` applies to a write.
   */
  compareAndSet(
    previous: SessionRecord,
    next: SessionRecord | null,
    ttlMs: number,
  ): Promise<CasOutcome>;
}

export interface CasLoopOptions {
  /**
   * Attempts before giving up with `session_busy`. Every round of conflicting writers lets at
   * least one through, so this bounds the writers one record can have at once. Default 32.
   */
  maxAttempts?: number;
  /** Random source for the back-off jitter. Default Math.random. */
  random?: () => number;
  /**
   * Awaited between the read and the compare-and-set. Tests widen the race window here (1–3 ms
   * of store latency); production leaves it out.
   */
  beforeWrite?: () => Promise<void>;
  /** Told of each conflict (for the store's metric). */
  onConflict?: () => void;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one update through the primitives; see {@link Store.update}. */
export async function runUpdate(
  io: CasPrimitives,
  id: string,
  transition: SessionTransition,
  options: UpdateOptions,
  loop: CasLoopOptions = {},
): Promise<UpdateResult> {
  const maxAttempts = loop.maxAttempts ?? 32;
  const random = loop.random ?? Math.random;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const previous = await io.read(id);
    if (!previous) return failure('session_ended');
    const result = transition(previous);
    if (!result.ok) return result;
    const remove = result.remove === true;
    if (result.session === previous && !remove)
      return { ok: true, session: previous, previous, written: false, removed: false };
    const next: SessionRecord = { ...result.session, version: previous.version + 1 };
    await loop.beforeWrite?.();
    const outcome = await io.compareAndSet(previous, remove ? null : next, options.ttlMs(next));
    if (outcome === 'gone') return failure('session_ended');
    if (outcome === 'written')
      return { ok: true, session: next, previous, written: true, removed: remove };
    loop.onConflict?.();
    // Writers that collided back off by a random few milliseconds, so they do not collide again.
    if (attempt > 1) await delay(random() * Math.min(attempt, 8));
  }
  return failure(
    'session_busy',
    `session ${id.slice(0, 64)} changed under ${maxAttempts} attempts`,
  );
}
