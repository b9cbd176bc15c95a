/**
 * The tabs of one site that run the snippet, and which of them shares the page. The focused tab
 * wins (as Upscope does): a tab that comes to the front resumes the session with the newest
 * credential, and the server tells the one that shared before to stand by. The tabs keep each
 * other up to date over a `BroadcastChannel`, which the browser limits to one origin: the same
 * page scripts that could read the tab's `sessionStorage` anyway, nothing beyond them. Every
 * message is checked for shape; anything else on the channel is ignored.
 */
import { attempt, guard } from './guard.ts';

export interface TabCredential {
  sessionId: string;
  token: string;
}

export interface TabLink {
  /** This tab's id, kept across its reloads. */
  readonly id: string;
  /** Tabs of this site with the snippet open, this one included. */
  count(): number;
  /** This tab's place among them, oldest first, from 1. */
  index(): number;
  /** This tab shares now, with this credential: the others keep it for when they take over. */
  share(credential: TabCredential): void;
  /** The session ended: the other tabs let it go too. */
  ended(sessionId: string): void;
  close(): void;
}

export interface TabEvents {
  /** Another tab shares the session and holds this credential now. */
  credential(credential: TabCredential): void;
  ended(sessionId: string): void;
  /** The set of tabs changed. */
  changed?(): void;
}

const ID_KEY = 'tandem.tab';
const FIELD = /^[A-Za-z0-9_-]{1,128}$/;

type Message =
  | { t: 'hello' | 'here'; id: string; born: number }
  | { t: 'bye'; id: string }
  | { t: 'credential'; id: string; sessionId: string; token: string }
  | { t: 'ended'; id: string; sessionId: string };

function parse(data: unknown): Message | null {
  const m = data as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null || typeof m.id !== 'string' || !FIELD.test(m.id))
    return null;
  switch (m.t) {
    case 'hello':
    case 'here':
      return typeof m.born === 'number' && Number.isFinite(m.born)
        ? { t: m.t, id: m.id, born: m.born }
        : null;
    case 'bye':
      return { t: m.t, id: m.id };
    case 'credential':
      return typeof m.sessionId === 'string' &&
        FIELD.test(m.sessionId) &&
        typeof m.token === 'string' &&
        FIELD.test(m.token)
        ? { t: 'credential', id: m.id, sessionId: m.sessionId, token: m.token }
        : null;
    case 'ended':
      return typeof m.sessionId === 'string' && FIELD.test(m.sessionId)
        ? { t: 'ended', id: m.id, sessionId: m.sessionId }
        : null;
    default:
      return null;
  }
}

/** This tab's id and birth, from `sessionStorage` when the tab had them (a reload keeps them). */
function ownIdentity(win: Window, random: () => string): { id: string; born: number } {
  const stored = attempt(() => JSON.parse(win.sessionStorage.getItem(ID_KEY) ?? 'null')) as {
    id?: unknown;
    born?: unknown;
  } | null;
  if (
    stored &&
    typeof stored.id === 'string' &&
    FIELD.test(stored.id) &&
    typeof stored.born === 'number'
  )
    return { id: stored.id, born: stored.born };
  const fresh = { id: random(), born: Date.now() };
  attempt(() => win.sessionStorage.setItem(ID_KEY, JSON.stringify(fresh)));
  return fresh;
}

function randomId(win: Window): string {
  const bytes = new Uint8Array(9);
  win.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Opens the link for the tabs of the snippet served by `server`. Without `BroadcastChannel`
 * (old browsers, some sandboxes) the tab is alone: every tab keeps its own session.
 */
export function openTabLink(win: Window, server: string, events: TabEvents): TabLink {
  const self = ownIdentity(win, () => randomId(win));
  const others = new Map<string, number>();
  let sharing: TabCredential | null = null;
  // Closed while the page is hidden: an open channel keeps a page out of the back/forward cache.
  let channel: BroadcastChannel | null = null;
  const post = (message: Message): void => void attempt(() => channel?.postMessage(message));

  const onMessage = guard((event: MessageEvent) => {
    const m = parse(event.data);
    if (!m || m.id === self.id) return;
    switch (m.t) {
      case 'hello':
        others.set(m.id, m.born);
        post({ t: 'here', ...self });
        if (sharing) post({ t: 'credential', id: self.id, ...sharing });
        events.changed?.();
        return;
      case 'here':
        others.set(m.id, m.born);
        events.changed?.();
        return;
      case 'bye':
        others.delete(m.id);
        events.changed?.();
        return;
      case 'credential':
        // Another tab shares now: this one does not any more.
        sharing = null;
        events.credential({ sessionId: m.sessionId, token: m.token });
        return;
      case 'ended':
        if (sharing?.sessionId === m.sessionId) sharing = null;
        events.ended(m.sessionId);
    }
  });
  const connect = (): void => {
    channel = attempt(() => new BroadcastChannel(`tandem-tabs:${server}`)) ?? null;
    channel?.addEventListener('message', onMessage);
    post({ t: 'hello', ...self });
  };
  const disconnect = (): void => {
    post({ t: 'bye', id: self.id });
    channel?.removeEventListener('message', onMessage);
    attempt(() => channel?.close());
    channel = null;
    others.clear();
  };
  const onHide = guard(disconnect);
  const onShow = guard((event: PageTransitionEvent) => {
    if (event.persisted) connect();
  });
  win.addEventListener('pagehide', onHide);
  win.addEventListener('pageshow', onShow);
  connect();

  return {
    id: self.id,
    count: () => others.size + 1,
    index: () =>
      1 +
      [...others].filter(([id, born]) => born < self.born || (born === self.born && id < self.id))
        .length,
    share(credential) {
      sharing = credential;
      post({ t: 'credential', id: self.id, ...credential });
    },
    ended(sessionId) {
      sharing = null;
      post({ t: 'ended', id: self.id, sessionId });
    },
    close() {
      disconnect();
      win.removeEventListener('pagehide', onHide);
      win.removeEventListener('pageshow', onShow);
    },
  };
}
