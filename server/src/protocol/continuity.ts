/**
 * The messages that keep a session going across pages, reloads and origins of one site: the
 * customer announces that it navigates, pauses on sensitive pages, asks for a hand-off credential
 * before it crosses to another allowlisted origin, and an agent in control navigates the page.
 * Types and constants only.
 */

/** Why the customer's page is not shown: the site paused it, or the customer left the site. */
export type PauseReason = 'site' | 'left_site';

/** The customer is leaving the page; `to` is the path it is heading for, when the snippet knows. */
export interface NavigatingNotice {
  /** Origin and path only (never a query or fragment: they may carry secrets); '' when unknown. */
  to: string;
}

/** The customer's page stopped showing (a pause page, or a page outside the site). */
export interface PausedNotice {
  reason: PauseReason;
}

/** Asks for a one-time credential that resumes the session from another allowlisted origin. */
export interface HandoffRequest {
  /** The origin the customer is about to open. */
  origin: string;
}

/** What an agent in control may do to the customer's tab, as the browser's buttons do. */
export type NavigateAction =
  | { go: 'back' }
  | { go: 'forward' }
  | { go: 'reload' }
  /** Opens a URL; only on an allowlisted origin of the site. */
  | { go: 'url'; url: string };

/** Where the page stands for the agent: live, on its way to another page, or paused. */
/**
 * Which of the customer's tabs of the site is shared: its place among them (oldest first, from
 * 1) and how many are open. The focused tab shares; the others stand by.
 */
export interface TabInfo {
  index: number;
  count: number;
}

/** Tabs a snippet reports at most (more are counted as this many). */
export const MAX_TABS = 64;

export type PageState =
  | { state: 'live' }
  | { state: 'navigating'; to: string; since: number }
  | { state: 'paused'; reason: PauseReason; since: number };

/**
 * The key the snippet keeps its resume credential under in `sessionStorage`, and the URL
 * fragment parameter that carries a hand-off credential to another origin (removed at once).
 */
export const RESUME_STORAGE_KEY = 'tandem:resume';
export const HANDOFF_FRAGMENT_KEY = 'tandem-handoff';

/** How long a hand-off credential stays usable: the time to load the next page. */
export const HANDOFF_TTL_MS = 60_000;
