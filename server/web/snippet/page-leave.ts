/**
 * Watches the tab leave the page and come back: a navigation starting (the Navigation API's
 * `navigate` event where the browser has it, else a link click or a form submit), so that the
 * agent reads "navigating to /checkout" while the next page loads; `pagehide` (a link, a form, a
 * reload, back, forward, closing the tab) and `pageshow` from the back/forward cache. A link, a
 * form or a script navigation to another origin is offered to `onCrossOrigin`, which may take
 * it over to hand the session off, and then goes on with the `go` it is given. Listeners sit on the window in the bubble phase, so the host page's own handlers
 * run first and a navigation they cancel is left alone. Returns the teardown.
 */
import { guard } from './guard.ts';

export interface PageLeaveOptions {
  win: Window;
  /** A navigation of the tab started; `to` is its destination (origin and path). */
  onNavigating(to: string): void;
  /** The page is being hidden; `to` is where it is heading (origin and path), '' when unknown. */
  onLeave(to: string): void;
  /** The page came back from the back/forward cache. */
  onReturn(): void;
  /**
   * The tab is about to leave for another origin (a plain link click, a form submitted to the
   * same tab, or a script's navigation); true when the callback takes it over, and then calls
   * `go` with the address to go to (the same one, or one with a hand-off in its fragment).
   */
  onCrossOrigin(url: URL, go: (href: string) => void): boolean;
}

/** How long a click or a submit counts as the reason for the next `pagehide`. */
const INTENT_MS = 10_000;

function originAndPath(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** The part of the Navigation API this needs (not in every browser, nor in every DOM lib). */
interface NavigateEvent extends Event {
  destination: { url: string };
  hashChange: boolean;
  downloadRequest: string | null;
  navigationType: 'push' | 'replace' | 'reload' | 'traverse';
  formData: FormData | null;
  userInitiated: boolean;
}

const isWeb = (url: URL): boolean => url.protocol === 'http:' || url.protocol === 'https:';

/**
 * Submits `form` to `href` as the browser would have (method, target and the submitter's name
 * and value kept), without firing `submit` again: it fired once already, and was not cancelled.
 */
function submitTo(form: HTMLFormElement, submitter: HTMLElement | null, href: string): void {
  const doc = form.ownerDocument;
  const button = submitter as HTMLButtonElement | HTMLInputElement | null;
  if (button?.name) {
    const input = doc.createElement('input');
    input.type = 'hidden';
    input.name = button.name;
    input.value = button.value;
    form.append(input);
  }
  const method = button?.getAttribute('formmethod');
  if (method) form.method = method;
  const enctype = button?.getAttribute('formenctype');
  if (enctype) form.enctype = enctype;
  form.action = href;
  form.submit();
}

function anchorOf(event: Event): HTMLAnchorElement | null {
  for (const node of event.composedPath()) {
    if (node instanceof Element && node.localName === 'a' && node.hasAttribute('href'))
      return node as HTMLAnchorElement;
  }
  return null;
}

export function watchPageLeave(options: PageLeaveOptions): () => void {
  const { win } = options;
  let intent: { to: string; at: number } | null = null;
  const navigation = (win as unknown as { navigation?: EventTarget }).navigation;
  const remember = (url: URL): void => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    intent = { to: originAndPath(url), at: Date.now() };
    // Without the Navigation API a click or a submit is the earliest sign of a page change.
    if (!navigation) options.onNavigating(intent.to);
  };
  /**
   * When a navigation was last taken over for a hand-off: the navigations that follow from it
   * (the hand-off itself, or the plain one when it was refused) pass untouched.
   */
  let tookOverAt = -Infinity;
  const offer = (url: URL, go: (href: string) => void): boolean => {
    if (!options.onCrossOrigin(url, go)) return false;
    tookOverAt = Date.now();
    return true;
  };
  const onNavigate = guard((event: Event) => {
    const e = event as NavigateEvent;
    if (e.hashChange || e.downloadRequest !== null) return;
    const url = new URL(e.destination.url);
    // A script's navigation to another origin (`location.href = …`): handed off like a link.
    // Links and forms were offered already, on click and on submit.
    if (
      Date.now() - tookOverAt > INTENT_MS &&
      url.origin !== win.location.origin &&
      isWeb(url) &&
      e.cancelable &&
      !e.userInitiated &&
      e.formData === null &&
      (e.navigationType === 'push' || e.navigationType === 'replace')
    ) {
      const how = e.navigationType;
      const go = (href: string): void =>
        how === 'replace' ? win.location.replace(href) : win.location.assign(href);
      if (offer(url, go)) return e.preventDefault();
    }
    intent = { to: originAndPath(url), at: Date.now() };
    options.onNavigating(intent.to);
  });

  const onClick = guard((event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return;
    const anchor = anchorOf(event);
    if (!anchor || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, win.location.href);
    const target = anchor.target.toLowerCase();
    const sameTab = target === '' || target === '_self' || target === '_top';
    if (!sameTab || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if (url.origin !== win.location.origin && isWeb(url)) {
      if (offer(url, (href) => win.location.assign(href))) return event.preventDefault();
    }
    remember(url);
  });
  const onSubmit = guard((event: SubmitEvent) => {
    if (event.defaultPrevented) return;
    const form = event.target as HTMLFormElement;
    const submitter = event.submitter as HTMLButtonElement | HTMLInputElement | null;
    const action = submitter?.getAttribute('formaction') ?? form.getAttribute('action') ?? '';
    const url = new URL(action || win.location.href, win.location.href);
    const target = (submitter?.getAttribute('formtarget') ?? form.target).toLowerCase();
    const sameTab = target === '' || target === '_self' || target === '_top';
    if (sameTab && url.origin !== win.location.origin && isWeb(url)) {
      if (offer(url, (href) => submitTo(form, submitter, href))) return event.preventDefault();
    }
    remember(url);
  });
  const onHide = guard(() => {
    const to = intent && Date.now() - intent.at < INTENT_MS ? intent.to : '';
    intent = null;
    options.onLeave(to);
  });
  const onShow = guard((event: PageTransitionEvent) => {
    if (event.persisted) options.onReturn();
  });

  win.addEventListener('click', onClick);
  win.addEventListener('submit', onSubmit);
  win.addEventListener('pagehide', onHide);
  win.addEventListener('pageshow', onShow);
  // Last, after the host's own listeners; a navigation it intercepts (an SPA route) never unloads.
  navigation?.addEventListener('navigate', onNavigate);
  return () => {
    navigation?.removeEventListener('navigate', onNavigate);
    win.removeEventListener('click', onClick);
    win.removeEventListener('submit', onSubmit);
    win.removeEventListener('pagehide', onHide);
    win.removeEventListener('pageshow', onShow);
  };
}
