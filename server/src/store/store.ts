/**
 * Where session state lives. One node uses the memory store; a cluster uses Redis so that any node
 * can serve any session. Every method is async so both implementations fit.
 *
 * A session's record changes only through {@link Store.update}: a pure transition applied to the
 * current record and written back only if nobody wrote in between (compare-and-set on its
 * version), retried on conflict. No caller ever writes a record it read earlier.
 */
import type {
  EndReason,
  Failure,
  PageBatch,
  PageState,
  PageSnapshot,
  TabInfo,
  Participant,
  SessionStatus,
} from '../protocol/index.ts';

/** Who controls the customer's page: an agent that asked, or one the customer allowed. */
export interface ControlGrant {
  /** The agent's participant id in the session. */
  agentId: string;
  name: string;
  state: 'requested' | 'granted';
  /** When the request was made or granted (ms since epoch). */
  since: number;
  /** The agent's token subject, for the audit (absent in records of older nodes). */
  subject?: string;
}

export interface SessionRecord {
  id: string;
  /**
   * Bumped by the store on every write; an update writes only over the version it read. A new
   * record starts at 1 (the store sets it); 0 is a record written before versions existed.
   */
  version: number;
  code: string;
  status: SessionStatus;
  createdAt: number;
  lastActivityAt: number;
  /** Origin and URL of the page that started the session. */
  origin: string;
  url: string;
  /** SHA-256 of the customer's resume token. */
  tokenHash: string;
  agents: Participant[];
  customerConnected: boolean;
  /** True once any agent joined: an unused session expires sooner. */
  everJoined: boolean;
  /** Who asked for or holds control of the page; null when nobody. */
  control: ControlGrant | null;
  endedReason?: EndReason;
  /**
   * The customer's resume credentials by origin (SHA-256 of each), rotated on every resume; a
   * hand-off to another origin of the site expires. Absent: `tokenHash` serves `origin` alone.
   */
  credentials?: Record<string, StoredCredential>;
  /** Live, navigating or paused; absent means live. */
  page?: PageState;
  /** When the customer's last connection went away; cleared when it comes back. */
  customerLeftAt?: number;
  /**
   * The customer's current connection (a Socket.IO id): the tab that shares the page. Another
   * tab that takes over replaces it; a connection that is no longer current leaving changes
   * nothing. Absent in records of older nodes: then any leaving counts.
   */
  customerConnection?: string;
  /** Which of the customer's tabs shares, as its snippet last said. */
  tab?: TabInfo;
  /** The masking-policy hash the snippet reported when it was not the server's. */
  policyMismatch?: string;
}

export interface StoredCredential {
  hash: string;
  /** A hand-off credential is usable until then (ms since epoch); a resumed one has none. */
  expiresAt?: number;
}

/**
 * What a transition decides about the current record: the next one (the very same object when
 * nothing changes, so nothing is written), the next one and the record's removal (the session
 * ended), or a refusal with its code.
 */
export type TransitionResult = { ok: true; session: SessionRecord; remove?: boolean } | Failure;

/** A pure change of one session record. It may run more than once (on conflict), so no effects. */
export type SessionTransition = (current: SessionRecord) => TransitionResult;

export interface UpdateOptions {
  /** How long the store keeps the record written (its expiry plus slack). */
  ttlMs(next: SessionRecord): number;
}

/**
 * The outcome of an update: the record as now stored (or as it was when removed) and the one it
 * replaced, or a failure: the transition's own, `session_ended` when there is no such record, or
 * `session_busy` when it kept changing under every attempt.
 */
export type UpdateResult =
  | {
      ok: true;
      session: SessionRecord;
      previous: SessionRecord;
      /** False when the transition changed nothing and nothing was written. */
      written: boolean;
      /** True when the update removed the session (and its code and page). */
      removed: boolean;
    }
  | Failure;

/** The latest snapshot and the batches after it: enough for a newly joined agent to catch up. */
export interface PageRecord {
  snapshot: PageSnapshot | null;
  batches: PageBatch[];
  /** Sequence number of the last accepted message, snapshot or batch. */
  lastSeq: number;
}

/** The last link of an audit chain. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export type AppendResult = { ok: true; count: number } | { ok: false; lastSeq: number };

export interface Store {
  /**
   * Stores a new session at version 1; false when its code is already taken. The only write
   * that is not an update: there is no record yet to compare with.
   */
  createSession(session: SessionRecord, ttlMs: number): Promise<boolean>;
  getSession(id: string): Promise<SessionRecord | null>;
  findSessionIdByCode(code: string): Promise<string | null>;
  /**
   * Applies `transition` to the session's current record and writes the result only over the
   * version it read (removing the session, its code and its page when the transition says so);
   * on a conflicting write it reads again and retries.
   */
  update(id: string, transition: SessionTransition, options: UpdateOptions): Promise<UpdateResult>;
  listSessionIds(): Promise<string[]>;
  /**
   * Keeps a snapshot as the session's page, dropping older batches, when its seq is after the
   * last accepted one; false otherwise (or when the session is gone).
   */
  putSnapshot(id: string, snapshot: PageSnapshot): Promise<boolean>;
  /**
   * Appends a batch when it follows the last accepted message exactly and a snapshot exists,
   * atomically; otherwise reports the last accepted seq so the caller can ask for a resync.
   */
  appendBatch(id: string, batch: PageBatch): Promise<AppendResult>;
  getPage(id: string): Promise<PageRecord>;
  /** The last link of an audit chain (`{ seq, hash }`); null before its first record. */
  getAuditHead(chain: string): Promise<AuditHead | null>;
  /**
   * Appends `record` to an audit chain and advances its head to `next`, atomically, only if the
   * head is still `expected` (null: the chain has no record yet); false when another writer (on
   * this node or another) advanced it first. Both keep for `ttlMs` after the last append.
   */
  appendAudit(
    chain: string,
    expected: AuditHead | null,
    next: AuditHead,
    record: string,
    ttlMs: number,
  ): Promise<boolean>;
  /** Every record of an audit chain, in chain order (as appended). */
  getAuditChain(chain: string): Promise<string[]>;
  /**
   * The sequence number of the session's last accepted page message (0 when none): one cheap
   * read, for a node to tell whether its copy of the page is behind.
   */
  getPageSeq(id: string): Promise<number>;
  /** Counts a hit against `key` in a fixed window; returns the count so far in this window. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  /** True when the store can serve (for readiness). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
