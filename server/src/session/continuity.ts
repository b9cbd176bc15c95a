/**
 * Continuity of a session across pages, reloads and the origins of one site, as pure transitions
 * over the session record: the resume credential (one per origin, rotated on every resume, so a
 * copy is worth one use at most), the hand-off to another origin, and the page's state (live,
 * navigating, paused) that agents see. The service persists what these return.
 */
import {
  failure,
  HANDOFF_TTL_MS,
  type Failure,
  type PageState,
  type PauseReason,
  type TabInfo,
} from '../protocol/index.ts';
import type { SessionRecord, StoredCredential } from '../store/index.ts';
import type { Transition } from './session.ts';

/** Compares a presented token with a stored hash in constant time. */
export type TokenCheck = (token: string, hash: string) => boolean;

/** The credential that resumes the session from `origin`, if any. */
export function credentialFor(session: SessionRecord, origin: string): StoredCredential | null {
  const stored = session.credentials?.[origin];
  if (stored) return stored;
  // Records from before per-origin credentials: the start token serves the start origin.
  if (!session.credentials && origin === session.origin) return { hash: session.tokenHash };
  return null;
}

/** Where a hand-off credential for `origin` is kept: beside that origin's own, not over it. */
const handoffKey = (origin: string): string => `handoff:${origin}`;

/**
 * The customer comes back (a reload, the next page, another node): the token must be the current
 * one for this very origin, or an unexpired hand-off to it. It is replaced by `nextHash`, so the
 * same token never works twice. Every refusal has the same code and message: a thief learns
 * nothing about which check failed.
 */
export function resumeWith(
  session: SessionRecord,
  presented: { origin: string; token: string; nextHash: string },
  matches: TokenCheck,
  now: number,
): Transition {
  if (session.status === 'ended') return failure('resume_refused');
  const own = credentialFor(session, presented.origin);
  const handoff = session.credentials?.[handoffKey(presented.origin)];
  const viaOwn = own !== null && matches(presented.token, own.hash);
  const viaHandoff =
    !viaOwn &&
    handoff !== undefined &&
    handoff.expiresAt !== undefined &&
    now <= handoff.expiresAt &&
    matches(presented.token, handoff.hash);
  if (!viaOwn && !viaHandoff) return failure('resume_refused');
  // A used hand-off is dropped; the origin's own credential is the new token's.
  const used = handoffKey(presented.origin);
  const credentials = Object.fromEntries(
    Object.entries(credentialsOf(session)).filter(([key]) => !viaHandoff || key !== used),
  );
  credentials[presented.origin] = { hash: presented.nextHash };
  const next: SessionRecord = {
    ...session,
    credentials,
    customerConnected: true,
    lastActivityAt: now,
  };
  delete next.customerLeftAt;
  return { ok: true, session: next };
}

/**
 * Issues a one-time credential for another origin of the site, which the snippet carries in the
 * next page's URL fragment. It replaces any earlier hand-off to that origin, and leaves the
 * origin's own credential (a tab there, back from the back/forward cache) as it was.
 */
export function addHandoff(
  session: SessionRecord,
  origin: string,
  hash: string,
  now: number,
): Transition {
  if (session.status === 'ended') return failure('session_ended');
  return {
    ok: true,
    session: {
      ...session,
      credentials: {
        ...credentialsOf(session),
        [handoffKey(origin)]: { hash, expiresAt: now + HANDOFF_TTL_MS },
      },
    },
  };
}

/** When the hand-off to `origin` expires, if one is pending. */
export function handoffExpiry(session: SessionRecord, origin: string): number | undefined {
  return session.credentials?.[handoffKey(origin)]?.expiresAt;
}

function credentialsOf(session: SessionRecord): Record<string, StoredCredential> {
  return session.credentials ?? { [session.origin]: { hash: session.tokenHash } };
}

/** The customer is leaving the page: agents see where to, until the next snapshot. */
export function markNavigating(session: SessionRecord, to: string, now: number): Transition {
  return setPage(session, { state: 'navigating', to, since: now });
}

/** The page is a pause page, or outside the site: agents see a pause screen and nothing else. */
export function markPaused(session: SessionRecord, reason: PauseReason, now: number): Transition {
  if (session.page?.state === 'paused' && session.page.reason === reason)
    return { ok: true, session };
  return setPage(session, { state: 'paused', reason, since: now });
}

/** The customer's snippet said which tab shares; the same record when nothing changed. */
export function setTab(session: SessionRecord, tab: TabInfo): Transition {
  if (session.status === 'ended') return failure('session_ended');
  if (session.tab?.index === tab.index && session.tab.count === tab.count)
    return { ok: true, session };
  return { ok: true, session: { ...session, tab } };
}

/** A snapshot arrived: the page is live again. Returns the same record when it already was. */
export function markLive(session: SessionRecord): SessionRecord {
  if (!session.page || session.page.state === 'live') return session;
  const next = { ...session };
  delete next.page;
  return next;
}

export function isPaused(session: SessionRecord): boolean {
  return session.page?.state === 'paused';
}

function setPage(session: SessionRecord, page: PageState): Transition | Failure {
  if (session.status === 'ended') return failure('session_ended');
  return { ok: true, session: { ...session, page } };
}

/**
 * True once the customer's last connection has been gone longer than `graceMs`: the tab was
 * closed (or never came back from a page outside the site), and the session ends.
 */
export function customerGone(session: SessionRecord, now: number, graceMs: number): boolean {
  return (
    session.status !== 'ended' &&
    !session.customerConnected &&
    session.customerLeftAt !== undefined &&
    // Outside the site the customer may still come back: the idle timeout ends that one.
    !(session.page?.state === 'paused' && session.page.reason === 'left_site') &&
    now - session.customerLeftAt >= graceMs
  );
}
