/**
 * Session use cases over the store: start, resume, join, leave, end, accept page data, expire.
 * Returns values, never throws for expected failures; the transport announces what changed.
 */
import { randomUUID } from 'node:crypto';
import {
  failure,
  PROTOCOL_VERSION,
  type EndReason,
  type Failure,
  type PageBatch,
  type PageSnapshot,
  type Participant,
  type PauseReason,
  type TabInfo,
} from '../protocol/index.ts';
import {
  codesMatch,
  cryptoRandom,
  generateCode,
  generateToken,
  hashToken,
  normalizeCode,
  tokenMatches,
  type RandomSource,
} from '../security/session-codes.ts';
import type {
  PageRecord,
  SessionRecord,
  SessionTransition,
  Store,
  UpdateResult,
} from '../store/index.ts';
import {
  createSession,
  endSession,
  expireSession,
  expiresAt,
  joinAgent,
  leaveAgent,
  recordTtlMs,
  setCustomerConnected,
  touchSession,
  type SessionTimeouts,
  reportPolicy,
} from './session.ts';
import {
  addHandoff,
  customerGone,
  handoffExpiry,
  markLive,
  markNavigating,
  markPaused,
  resumeWith,
  setTab,
} from './continuity.ts';

export interface SessionSettings extends SessionTimeouts {
  codeLength: number;
  maxAgents: number;
  maxBatchesPerSnapshot: number;
  startsPerMinute: number;
  joinAttemptsPerMinute: number;
  /**
   * How long a session waits for its customer after the last tab went away (a page load takes
   * well under it) before it ends as `customer_left`. Default 30 s.
   */
  leaveGraceMs?: number;
}

/** The leave grace when the settings give none. */
export const DEFAULT_LEAVE_GRACE_MS = 30_000;

export interface SessionServiceDeps {
  store: Store;
  settings: SessionSettings;
  now?: () => number;
  random?: RandomSource;
  /** Told of every store failure the service rides out (for logs and metrics). */
  onStoreError?: (error: unknown) => void;
  /** Told when this node ends a session, so that per-session state elsewhere can be dropped. */
  onEnded?: (sessionId: string) => void;
}

type Ok<T> = { ok: true } & T;

/** A change that was written: the record now and the one before (to tell what changed). */
export type Changed = Ok<{ session: SessionRecord; previous: SessionRecord }>;

/** Activity is written to the store at most this often: a batch must not cost a store write. */
const TOUCH_INTERVAL_MS = 10_000;
const MINUTE_MS = 60_000;

export class SessionService {
  private readonly store: Store;
  private readonly settings: SessionSettings;
  private readonly now: () => number;
  private readonly random: RandomSource;
  private readonly lastTouch = new Map<string, number>();
  private readonly unstoredSessions = new Set<string>();
  private readonly onStoreError: ((error: unknown) => void) | undefined;
  private readonly onEnded: ((sessionId: string) => void) | undefined;

  constructor(deps: SessionServiceDeps) {
    this.store = deps.store;
    this.settings = deps.settings;
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? cryptoRandom;
    this.onStoreError = deps.onStoreError;
    this.onEnded = deps.onEnded;
  }

  async start(
    req: { protocol: number; url: string },
    ctx: { origin: string; address: string; connection?: string },
  ): Promise<Ok<{ session: SessionRecord; token: string; expiresAt: number }> | Failure> {
    if (req.protocol !== PROTOCOL_VERSION) return failure('unsupported_protocol');
    if (!(await this.allow(`start:${ctx.address}`, this.settings.startsPerMinute)))
      return failure('rate_limited');
    const token = generateToken(this.random);
    // A collision with a live code is astronomically rare; retry a few times rather than fail.
    for (let attempt = 0; attempt < 5; attempt++) {
      const session = createSession({
        id: randomUUID(),
        code: generateCode(this.settings.codeLength, this.random),
        tokenHash: hashToken(token),
        origin: ctx.origin,
        url: req.url,
        now: this.now(),
      });
      if (ctx.connection !== undefined) session.customerConnection = ctx.connection;
      if (
        await this.store.createSession(session, recordTtlMs(session, this.settings, this.now()))
      ) {
        const stored = { ...session, version: 1 };
        return { ok: true, session: stored, token, expiresAt: expiresAt(stored, this.settings) };
      }
    }
    return failure('internal', 'could not allocate a session code');
  }

  /**
   * The customer comes back: the token must be this origin's current credential. A new token
   * replaces it in the same write (returned once, here), and `lastSeq` says where the page stream
   * stands, so that the next page's snippet numbers on from there.
   */
  async resume(
    req: { protocol: number; sessionId: string; token: string },
    ctx: { origin: string; connection?: string },
  ): Promise<(Changed & { token: string; lastSeq: number }) | Failure> {
    if (req.protocol !== PROTOCOL_VERSION) return failure('unsupported_protocol');
    const token = generateToken(this.random);
    const presented = { origin: ctx.origin, token: req.token, nextHash: hashToken(token) };
    const result = await this.update(req.sessionId, (session) => {
      const resumed = resumeWith(session, presented, tokenMatches, this.now());
      if (resumed.ok && ctx.connection !== undefined)
        resumed.session = { ...resumed.session, customerConnection: ctx.connection };
      return resumed;
    });
    // A session that is gone and a token that does not match read the same to the customer.
    if (!result.ok) return result.code === 'session_ended' ? failure('resume_refused') : result;
    const lastSeq = await this.store.getPageSeq(req.sessionId);
    return { ok: true, session: result.session, previous: result.previous, token, lastSeq };
  }

  /** A one-time credential for `origin` (the caller checked that it is of the site). */
  async handoff(
    sessionId: string,
    origin: string,
  ): Promise<Ok<{ token: string; expiresAt: number }> | Failure> {
    const token = generateToken(this.random);
    const result = await this.update(sessionId, (session) =>
      addHandoff(session, origin, hashToken(token), this.now()),
    );
    if (!result.ok) return result;
    return { ok: true, token, expiresAt: handoffExpiry(result.session, origin) ?? this.now() };
  }

  /** The customer is leaving the page for `to`. */
  navigating(sessionId: string, to: string): Promise<UpdateResult> {
    return this.update(sessionId, (session) => markNavigating(session, to, this.now()));
  }

  /** The customer's page is paused: agents see the pause screen and get no page data. */
  /** Which of the customer's tabs shares now. */
  tab(sessionId: string, tab: TabInfo): Promise<UpdateResult> {
    return this.update(sessionId, (session) => setTab(session, tab));
  }

  /** Records the masking-policy hash the snippet reported (kept only when it is not `expected`). */
  reportPolicy(sessionId: string, reported: string, expected: string): Promise<UpdateResult> {
    return this.update(sessionId, (session) => reportPolicy(session, reported, expected));
  }

  paused(sessionId: string, reason: PauseReason): Promise<UpdateResult> {
    return this.update(sessionId, (session) => markPaused(session, reason, this.now()));
  }

  async join(
    req: { protocol: number; code: string },
    agent: Participant,
    address: string,
  ): Promise<Changed | Failure> {
    if (req.protocol !== PROTOCOL_VERSION) return failure('unsupported_protocol');
    // Count every attempt, good or bad: the limit is what makes codes unguessable.
    if (!(await this.allow(`join:${address}`, this.settings.joinAttemptsPerMinute)))
      return failure('rate_limited');
    const code = normalizeCode(req.code, this.settings.codeLength);
    const id = code === null ? null : await this.store.findSessionIdByCode(code);
    if (code === null || id === null) return failure('invalid_code');
    // The lookup found the session by its code; compare again in constant time, so that no
    // store's key matching decides alone.
    const result = await this.update(id, (session) =>
      session.status === 'ended' || !codesMatch(session.code, code)
        ? failure('invalid_code')
        : joinAgent(session, agent, this.settings.maxAgents, this.now()),
    );
    return !result.ok && result.code === 'session_ended' ? failure('invalid_code') : result;
  }

  /** A supervisor joins a session by its id, without the code (its privilege was checked). */
  async watch(
    req: { protocol: number; sessionId: string },
    agent: Participant,
  ): Promise<Changed | Failure> {
    if (req.protocol !== PROTOCOL_VERSION) return failure('unsupported_protocol');
    const result = await this.update(req.sessionId, (session) =>
      joinAgent(session, agent, this.settings.maxAgents, this.now()),
    );
    return !result.ok && result.code === 'session_ended' ? failure('session_not_found') : result;
  }

  /** An agent leaves; control it held or asked for ends in the same write. */
  leave(sessionId: string, agentId: string): Promise<Changed | Failure> {
    return this.update(sessionId, (session) => leaveAgent(session, agentId, this.now()));
  }

  /** The customer's connection `connection` went away (ignored when another one is current). */
  customerLeft(sessionId: string, connection?: string): Promise<Changed | Failure> {
    return this.update(sessionId, (session) =>
      setCustomerConnected(session, false, this.now(), connection),
    );
  }

  /**
   * Ends a session and forgets it, in one write. Returns the ended record only to the one caller
   * whose write ended it, so that when several nodes sweep or both sides end at once, the end is
   * announced once.
   */
  async end(sessionId: string, reason: EndReason): Promise<SessionRecord | null> {
    const result = await this.update(sessionId, (session) =>
      endSession(session, reason, this.now()),
    );
    this.forgetLocal(sessionId);
    return result.ok && result.removed ? result.session : null;
  }

  /**
   * A snapshot may jump ahead (after a gap the customer sends a fresh one) but never go back.
   * While the store is unreachable the page is relayed unstored (`stored: false`), and the
   * session is remembered so that a fresh snapshot is asked for when the store returns.
   */
  async acceptSnapshot(
    sessionId: string,
    snapshot: PageSnapshot,
  ): Promise<Ok<{ stored: boolean; live?: SessionRecord }> | Failure> {
    let stored: boolean;
    try {
      stored = await this.store.putSnapshot(sessionId, snapshot);
      if (!stored && !(await this.store.getSession(sessionId))) return failure('session_ended');
    } catch (error) {
      return this.unstored(sessionId, error);
    }
    if (!stored)
      return failure('invalid_message', `snapshot seq ${snapshot.seq} is not after the last one`);
    await this.touch(sessionId);
    // The page is live again after navigating or a pause; `live` tells the caller to announce it.
    const live = await this.update(sessionId, (session) => ({
      ok: true,
      session: markLive(session),
    }));
    if (!live.ok || !live.written) return { ok: true, stored: true };
    return { ok: true, stored: true, live: live.session };
  }

  /**
   * A batch must follow the last message exactly; anything else is a gap, answered by asking the
   * customer for a fresh snapshot. `compact` asks for one too, when batches piled up.
   */
  async acceptBatch(
    sessionId: string,
    batch: PageBatch,
  ): Promise<Ok<{ compact: boolean; stored: boolean }> | Failure> {
    try {
      const appended = await this.store.appendBatch(sessionId, batch);
      if (!appended.ok) {
        // Failures are rare, so only they pay for telling a gap from a session that is gone.
        if (!(await this.store.getSession(sessionId))) return failure('session_ended');
        return failure('sequence_gap', `expected seq ${appended.lastSeq + 1}, got ${batch.seq}`);
      }
      await this.touch(sessionId);
      return {
        ok: true,
        stored: true,
        compact: appended.count >= this.settings.maxBatchesPerSnapshot,
      };
    } catch (error) {
      return { ...this.unstored(sessionId, error), compact: false };
    }
  }

  /** Sessions whose pages went unstored while the store was away; the caller asks them for a snapshot. */
  takeUnstored(): string[] {
    const ids = [...this.unstoredSessions];
    this.unstoredSessions.clear();
    return ids;
  }

  private unstored(sessionId: string, error: unknown): { ok: true; stored: false } {
    this.unstoredSessions.add(sessionId);
    this.onStoreError?.(error);
    return { ok: true, stored: false };
  }

  catchUp(sessionId: string): Promise<PageRecord> {
    return this.store.getPage(sessionId);
  }

  /** The sequence number of the session's last stored page message (0 when none). */
  pageSeq(sessionId: string): Promise<number> {
    return this.store.getPageSeq(sessionId);
  }

  get(sessionId: string): Promise<SessionRecord | null> {
    return this.store.getSession(sessionId);
  }

  /** Ends every expired session; returns them so that their participants can be told. */
  async sweep(): Promise<SessionRecord[]> {
    const ended: SessionRecord[] = [];
    const grace = this.settings.leaveGraceMs ?? DEFAULT_LEAVE_GRACE_MS;
    for (const id of await this.store.listSessionIds()) {
      // The customer's last tab gone past the grace, or the session idle: either ends it.
      const result = await this.update(id, (session) =>
        customerGone(session, this.now(), grace)
          ? endSession(session, 'customer_left', this.now())
          : expireSession(session, this.now(), this.settings),
      );
      if (result.ok && result.removed) {
        this.forgetLocal(id);
        ended.push(result.session);
      }
    }
    return ended;
  }

  private async touch(sessionId: string): Promise<void> {
    const now = this.now();
    if (now - (this.lastTouch.get(sessionId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouch.set(sessionId, now);
    try {
      await this.update(sessionId, (session) => touchSession(session, now));
    } catch (error) {
      this.onStoreError?.(error);
    }
  }

  /** Every change of a record goes through here: the store's atomic update, with the TTL policy. */
  update(sessionId: string, transition: SessionTransition): Promise<UpdateResult> {
    return this.store.update(sessionId, transition, {
      ttlMs: (next) => recordTtlMs(next, this.settings, this.now()),
    });
  }

  private forgetLocal(sessionId: string): void {
    this.lastTouch.delete(sessionId);
    this.onEnded?.(sessionId);
  }

  private async allow(key: string, perMinute: number): Promise<boolean> {
    return (await this.store.hit(key, MINUTE_MS, this.now())) <= perMinute;
  }
}
