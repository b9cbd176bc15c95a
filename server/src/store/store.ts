/**
 * Where session state lives. One node uses the memory store; a cluster uses Redis so that any node
 * can serve any session. Every method is async so both implementations fit.
 */
import type {
  EndReason,
  PageBatch,
  PageSnapshot,
  Participant,
  SessionStatus,
} from '../protocol/index.ts';

export interface SessionRecord {
  id: string;
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
  endedReason?: EndReason;
}

/** The latest snapshot and the batches after it: enough for a newly joined agent to catch up. */
export interface PageRecord {
  snapshot: PageSnapshot | null;
  batches: PageBatch[];
  /** Sequence number of the last accepted message, snapshot or batch. */
  lastSeq: number;
}

export type AppendResult = { ok: true; count: number } | { ok: false; lastSeq: number };

export interface Store {
  /** Stores a new session; false when its code is already taken. */
  createSession(session: SessionRecord, ttlMs: number): Promise<boolean>;
  getSession(id: string): Promise<SessionRecord | null>;
  findSessionIdByCode(code: string): Promise<string | null>;
  /** Replaces a session's record and its time to live. */
  saveSession(session: SessionRecord, ttlMs: number): Promise<void>;
  /** Forgets a session, its code and its page; true only for the caller that removed it. */
  deleteSession(id: string): Promise<boolean>;
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
  /** Counts a hit against `key` in a fixed window; returns the count so far in this window. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  /** True when the store can serve (for readiness). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
