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
import type { PageRecord, SessionRecord, Store } from '../store/index.ts';
import {
  createSession,
  endSession,
  expiresAt,
  expiryReason,
  isExpired,
  joinAgent,
  leaveAgent,
  setCustomerConnected,
  type SessionTimeouts,
  type Transition,
} from './session.ts';

export interface SessionSettings extends SessionTimeouts {
  codeLength: number;
  maxAgents: number;
  maxBatchesPerSnapshot: number;
  startsPerMinute: number;
  joinAttemptsPerMinute: number;
}

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
    ctx: { origin: string; address: string },
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
      if (await this.store.createSession(session, this.ttl(session))) {
        return { ok: true, session, token, expiresAt: expiresAt(session, this.settings) };
      }
    }
    return failure('internal', 'could not allocate a session code');
  }

  async resume(req: {
    protocol: number;
    sessionId: string;
    token: string;
  }): Promise<Ok<{ session: SessionRecord }> | Failure> {
    if (req.protocol !== PROTOCOL_VERSION) return failure('unsupported_protocol');
    const session = await this.store.getSession(req.sessionId);
    if (!session || !tokenMatches(req.token, session.tokenHash))
      return failure('session_not_found');
    return this.commit(setCustomerConnected(session, true, this.now()));
  }

  async join(
    req: { protocol: number; code: string },
    agent: Participant,
    address: string,
  ): Promise<Ok<{ session: SessionRecord }> | Failure> {
    if (req.protocol !== PROTOCOL_VERSION) return failure('unsupported_protocol');
    // Count every attempt, good or bad: the limit is what makes codes unguessable.
    if (!(await this.allow(`join:${address}`, this.settings.joinAttemptsPerMinute)))
      return failure('rate_limited');
    const code = normalizeCode(req.code, this.settings.codeLength);
    const id = code === null ? null : await this.store.findSessionIdByCode(code);
    const session = id === null ? null : await this.store.getSession(id);
    // The lookup found the session by its code; compare again in constant time, so that no
    // store's key matching decides alone.
    if (!session || session.status === 'ended' || code === null || !codesMatch(session.code, code))
      return failure('invalid_code');
    return this.commit(joinAgent(session, agent, this.settings.maxAgents, this.now()));
  }

  async leave(sessionId: string, agentId: string): Promise<SessionRecord | null> {
    const session = await this.store.getSession(sessionId);
    if (!session) return null;
    const result = await this.commit(leaveAgent(session, agentId, this.now()));
    return result.ok ? result.session : null;
  }

  async customerLeft(sessionId: string): Promise<SessionRecord | null> {
    const session = await this.store.getSession(sessionId);
    if (!session) return null;
    const result = await this.commit(setCustomerConnected(session, false, this.now()));
    return result.ok ? result.session : null;
  }

  /**
   * Ends a session and forgets it. Returns the ended record only to the one caller that removed
   * it, so that when several nodes sweep, the end is announced once.
   */
  async end(sessionId: string, reason: EndReason): Promise<SessionRecord | null> {
    const session = await this.store.getSession(sessionId);
    if (!session) return null;
    const result = endSession(session, reason, this.now());
    const removed = await this.store.deleteSession(sessionId);
    this.lastTouch.delete(sessionId);
    this.onEnded?.(sessionId);
    return result.ok && removed ? result.session : null;
  }

  /**
   * A snapshot may jump ahead (after a gap the customer sends a fresh one) but never go back.
   * While the store is unreachable the page is relayed unstored (`stored: false`), and the
   * session is remembered so that a fresh snapshot is asked for when the store returns.
   */
  async acceptSnapshot(
    sessionId: string,
    snapshot: PageSnapshot,
  ): Promise<Ok<{ stored: boolean }> | Failure> {
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
    return { ok: true, stored: true };
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

  get(sessionId: string): Promise<SessionRecord | null> {
    return this.store.getSession(sessionId);
  }

  /** Ends every expired session; returns them so that their participants can be told. */
  async sweep(): Promise<SessionRecord[]> {
    const ended: SessionRecord[] = [];
    const now = this.now();
    for (const id of await this.store.listSessionIds()) {
      const session = await this.store.getSession(id);
      if (session && isExpired(session, now, this.settings)) {
        const record = await this.end(id, expiryReason(session));
        if (record) ended.push(record);
      }
    }
    return ended;
  }

  private async touch(sessionId: string): Promise<void> {
    const now = this.now();
    if (now - (this.lastTouch.get(sessionId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouch.set(sessionId, now);
    try {
      const session = await this.store.getSession(sessionId);
      if (session) {
        const touched = { ...session, lastActivityAt: now };
        await this.store.saveSession(touched, this.ttl(touched));
      }
    } catch (error) {
      this.onStoreError?.(error);
    }
  }

  private async commit(transition: Transition): Promise<Ok<{ session: SessionRecord }> | Failure> {
    if (!transition.ok) return transition;
    await this.store.saveSession(transition.session, this.ttl(transition.session));
    return { ok: true, session: transition.session };
  }

  /** The store keeps a record a little past its expiry so that the sweep can announce the end. */
  private ttl(session: SessionRecord): number {
    return Math.max(1, expiresAt(session, this.settings) - this.now()) + MINUTE_MS;
  }

  private async allow(key: string, perMinute: number): Promise<boolean> {
    return (await this.store.hit(key, MINUTE_MS, this.now())) <= perMinute;
  }
}
