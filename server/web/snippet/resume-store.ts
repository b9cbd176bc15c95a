/**
 * The resume credential, kept in the tab's `sessionStorage`: per tab and per origin by the
 * browser's own rules, never serialized (the recorder reads the DOM, not storage), and rotated
 * by the server on every resume. A hand-off to another origin of the site arrives once in the
 * URL fragment and is removed from the address bar before anything is recorded.
 */
import { HANDOFF_FRAGMENT_KEY, RESUME_STORAGE_KEY } from '../../src/protocol/index.ts';
import { attempt } from './guard.ts';

export interface ResumeCredential {
  sessionId: string;
  token: string;
  /** The Tandem server this credential belongs to. */
  server: string;
}

const FIELD = /^[A-Za-z0-9_-]{1,128}$/;

function isCredential(value: unknown): value is ResumeCredential {
  const v = value as Partial<ResumeCredential> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sessionId === 'string' &&
    FIELD.test(v.sessionId) &&
    typeof v.token === 'string' &&
    FIELD.test(v.token) &&
    typeof v.server === 'string'
  );
}

/** Storage may be missing or throw (sandboxed frames, privacy modes): then there is none. */
function storageOf(win: Window): Storage | null {
  return attempt(() => win.sessionStorage) ?? null;
}

export function loadCredential(win: Window, server: string): ResumeCredential | null {
  const raw = attempt(() => storageOf(win)?.getItem(RESUME_STORAGE_KEY));
  if (!raw) return null;
  const parsed = attempt(() => JSON.parse(raw) as unknown);
  return isCredential(parsed) && parsed.server === server ? parsed : null;
}

export function saveCredential(win: Window, credential: ResumeCredential): void {
  attempt(() => storageOf(win)?.setItem(RESUME_STORAGE_KEY, JSON.stringify(credential)));
}

export function clearCredential(win: Window): void {
  attempt(() => storageOf(win)?.removeItem(RESUME_STORAGE_KEY));
}

/** `url` with a hand-off credential added to its fragment. */
export function withHandoff(url: string, sessionId: string, token: string): string {
  const next = new URL(url);
  const param = `${HANDOFF_FRAGMENT_KEY}=${sessionId}.${token}`;
  const hash = next.hash.replace(/^#/, '');
  next.hash = hash ? `${hash}&${param}` : param;
  return next.href;
}

/**
 * Takes a hand-off credential out of this page's fragment (and out of the address bar and the
 * history entry), or null when there is none.
 */
export function takeHandoff(win: Window, server: string): ResumeCredential | null {
  const hash = win.location.hash.replace(/^#/, '');
  const pattern = new RegExp(`(^|&)${HANDOFF_FRAGMENT_KEY}=([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)`);
  const found = pattern.exec(hash);
  if (!found) return null;
  const rest = hash.replace(found[0], '').replace(/^&/, '');
  attempt(() => {
    const url = new URL(win.location.href);
    url.hash = rest;
    win.history.replaceState(win.history.state, '', rest ? url.href : url.href.replace(/#$/, ''));
  });
  const [, , sessionId = '', token = ''] = found;
  return { sessionId, token, server };
}
