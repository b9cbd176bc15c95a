/** The single-node store: plain maps, with expiry checked lazily and by a sweep. */
import type { PageBatch, PageSnapshot } from '../protocol/index.ts';
import { runUpdate, type CasLoopOptions, type CasOutcome } from './compare-and-set.ts';
import type {
  AppendResult,
  AuditHead,
  PageRecord,
  SessionRecord,
  SessionTransition,
  Store,
  UpdateOptions,
  UpdateResult,
} from './store.ts';

interface Entry {
  session: SessionRecord;
  expiresAt: number;
  page: PageRecord;
}

export interface MemoryStoreOptions {
  /** The update loop's settings; tests set `beforeWrite` to widen the race window. */
  updates?: CasLoopOptions;
}

export class MemoryStore implements Store {
  private readonly sessions = new Map<string, Entry>();
  private readonly codes = new Map<string, string>();
  private readonly counters = new Map<string, { windowStart: number; count: number }>();
  private readonly audits = new Map<
    string,
    { head: AuditHead; records: string[]; expiresAt: number }
  >();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly options: MemoryStoreOptions = {},
  ) {}

  async createSession(session: SessionRecord, ttlMs: number): Promise<boolean> {
    const holder = this.codes.get(session.code);
    if (holder !== undefined && this.live(holder)) return false;
    this.codes.set(session.code, session.id);
    this.sessions.set(session.id, {
      session: structuredClone({ ...session, version: 1 }),
      expiresAt: this.now() + ttlMs,
      page: { snapshot: null, batches: [], lastSeq: 0 },
    });
    return true;
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const entry = this.live(id);
    return entry ? structuredClone(entry.session) : null;
  }

  async findSessionIdByCode(code: string): Promise<string | null> {
    const id = this.codes.get(code);
    return id !== undefined && this.live(id) ? id : null;
  }

  /**
   * The same read, compare-and-set and retry as Redis. Without `beforeWrite` nothing can come
   * between the read and the write on one event loop, but the contract is the same.
   */
  update(id: string, transition: SessionTransition, options: UpdateOptions): Promise<UpdateResult> {
    return runUpdate(
      {
        read: (key) => this.getSession(key),
        compareAndSet: async (previous, next, ttlMs) => this.compareAndSet(previous, next, ttlMs),
      },
      id,
      transition,
      options,
      this.options.updates,
    );
  }

  async listSessionIds(): Promise<string[]> {
    return [...this.sessions.keys()].filter((id) => this.live(id));
  }

  async putSnapshot(id: string, snapshot: PageSnapshot): Promise<boolean> {
    const entry = this.live(id);
    if (!entry || snapshot.seq <= entry.page.lastSeq) return false;
    entry.page = { snapshot, batches: [], lastSeq: snapshot.seq };
    return true;
  }

  async appendBatch(id: string, batch: PageBatch): Promise<AppendResult> {
    const entry = this.live(id);
    if (!entry) return { ok: false, lastSeq: 0 };
    const { page } = entry;
    if (page.snapshot === null || batch.seq !== page.lastSeq + 1)
      return { ok: false, lastSeq: page.lastSeq };
    page.batches.push(batch);
    page.lastSeq = batch.seq;
    return { ok: true, count: page.batches.length };
  }

  async getPage(id: string): Promise<PageRecord> {
    const entry = this.live(id);
    if (!entry) return { snapshot: null, batches: [], lastSeq: 0 };
    // Snapshots and batches are never mutated after they are stored, so a shallow copy is safe.
    return { ...entry.page, batches: [...entry.page.batches] };
  }

  async getPageSeq(id: string): Promise<number> {
    return this.live(id)?.page.lastSeq ?? 0;
  }

  async getAuditHead(chain: string): Promise<AuditHead | null> {
    const entry = this.liveAudit(chain);
    return entry ? { ...entry.head } : null;
  }

  async appendAudit(
    chain: string,
    expected: AuditHead | null,
    next: AuditHead,
    record: string,
    ttlMs: number,
  ): Promise<boolean> {
    const entry = this.liveAudit(chain);
    const head = entry?.head ?? null;
    if (head?.seq !== expected?.seq || head?.hash !== expected?.hash) return false;
    const records = entry?.records ?? [];
    records.push(record);
    this.audits.set(chain, { head: { ...next }, records, expiresAt: this.now() + ttlMs });
    return true;
  }

  async getAuditChain(chain: string): Promise<string[]> {
    return [...(this.liveAudit(chain)?.records ?? [])];
  }

  private liveAudit(chain: string) {
    const entry = this.audits.get(chain);
    if (entry && entry.expiresAt <= this.now()) {
      this.audits.delete(chain);
      return undefined;
    }
    return entry;
  }

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    const counter = this.counters.get(key);
    if (!counter || now - counter.windowStart >= windowMs) {
      this.counters.set(key, { windowStart: now, count: 1 });
      if (this.counters.size > 100_000) this.pruneCounters(windowMs, now);
      return 1;
    }
    counter.count += 1;
    return counter.count;
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.sessions.clear();
    this.codes.clear();
    this.counters.clear();
    this.audits.clear();
  }

  private compareAndSet(
    previous: SessionRecord,
    next: SessionRecord | null,
    ttlMs: number,
  ): CasOutcome {
    const { id } = previous;
    const entry = this.live(id);
    if (!entry) return 'gone';
    if (entry.session.version !== previous.version) return 'conflict';
    if (next === null) {
      this.remove(id, entry);
      return 'written';
    }
    entry.session = structuredClone(next);
    entry.expiresAt = this.now() + ttlMs;
    return 'written';
  }

  private remove(id: string, entry: Entry): void {
    this.sessions.delete(id);
    if (this.codes.get(entry.session.code) === id) this.codes.delete(entry.session.code);
  }

  /** The entry when present and not expired; an expired one is removed on the way. */
  private live(id: string): Entry | undefined {
    const entry = this.sessions.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(id, entry);
      return undefined;
    }
    return entry;
  }

  private pruneCounters(windowMs: number, now: number): void {
    for (const [key, counter] of this.counters) {
      if (now - counter.windowStart >= windowMs) this.counters.delete(key);
    }
  }
}
