/**
 * Carries out an agent's navigation (back, forward, reload, a URL of the site) once the session
 * checked consent, and tells the customer who did it: on this page at once, and on the next one
 * (the notice waits in `sessionStorage` for the page that loads).
 */
import type { NavigateAction } from '../../src/protocol/index.ts';
import { attempt } from './guard.ts';

const NOTICE_KEY = 'tandem:notice';

function describe(action: NavigateAction, name: string, win: Window): string {
  switch (action.go) {
    case 'back':
      return `${name} went back a page`;
    case 'forward':
      return `${name} went forward a page`;
    case 'reload':
      return `${name} reloaded the page`;
    case 'url': {
      const url = new URL(action.url, win.location.href);
      const where = url.origin === win.location.origin ? url.pathname : url.host + url.pathname;
      return `${name} opened ${where}`;
    }
  }
}

export function navigateAs(
  win: Window,
  action: NavigateAction & { name: string },
  show: (notice: string) => void,
): void {
  const notice = describe(action, action.name, win);
  show(notice);
  attempt(() => win.sessionStorage.setItem(NOTICE_KEY, notice));
  switch (action.go) {
    case 'back':
      return win.history.back();
    case 'forward':
      return win.history.forward();
    case 'reload':
      return win.location.reload();
    case 'url': {
      const url = new URL(action.url, win.location.href);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return;
      // Another origin goes through a link click, so that the session is handed off to it.
      if (url.origin === win.location.origin) return win.location.assign(url.href);
      const link = win.document.createElement('a');
      link.href = url.href;
      link.style.display = 'none';
      win.document.body.append(link);
      link.click();
      link.remove();
    }
  }
}

/** The notice a navigation left for this page, once. */
export function takeNotice(win: Window): string | null {
  return (
    attempt(() => {
      const notice = win.sessionStorage.getItem(NOTICE_KEY);
      win.sessionStorage.removeItem(NOTICE_KEY);
      return notice;
    }) ?? null
  );
}
