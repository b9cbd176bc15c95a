/**
 * The words for the customer's page status (page-status.ts shows them): pure, so that they are
 * tested without a DOM.
 */
import type { SessionView } from '../../src/protocol/index.ts';

export type PageStatusKind = 'live' | 'navigating' | 'paused' | 'left';

/** `10:42:13`, in the agent's own time zone. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** Where the customer is heading, as short as it reads: the path on the same origin. */
export function describeDestination(to: string, currentUrl: string | undefined): string {
  try {
    const url = new URL(to);
    const here = currentUrl ? new URL(currentUrl).origin : '';
    return url.origin === here ? url.pathname : `${url.host}${url.pathname}`;
  } catch {
    return '';
  }
}

/**
 * How long a page change may take before the agent reads "Customer left" instead: a closed tab
 * looks like a page change to the snippet (both hide the page), only no next page comes.
 */
export const NAVIGATION_PATIENCE_MS = 3000;

/** The page's status for the agent, from the session's view, at `now`. */
export function describePage(
  view: SessionView,
  currentUrl: string | undefined,
  now: number = Date.now(),
): { kind: PageStatusKind; text: string } {
  const page = view.page;
  if (page?.state === 'paused') {
    return {
      kind: 'paused',
      text:
        page.reason === 'site'
          ? 'Co-browsing is paused by the site on this page. The page comes back when the customer moves on.'
          : 'The customer left the site: co-browsing is paused until they come back.',
    };
  }
  const gone = !view.customerConnected && view.customerLeftAt !== undefined;
  if (page?.state === 'navigating' && !(gone && now - page.since >= NAVIGATION_PATIENCE_MS)) {
    const where = describeDestination(page.to, currentUrl);
    return { kind: 'navigating', text: `Customer is navigating${where ? ` to ${where}` : ''}…` };
  }
  if (gone && view.customerLeftAt !== undefined)
    return { kind: 'left', text: `Customer left at ${clockTime(view.customerLeftAt)}` };
  return { kind: 'live', text: '' };
}
