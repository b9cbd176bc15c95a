/**
 * The snippet's entry point: `<script src="https://tandem.example/tandem.js">` defines
 * `window.Tandem`. It connects to the origin it was loaded from, so the site needs no config.
 * When the tab holds a session (a reload, the next page of the site, a hand-off from another
 * origin of it), the session resumes as the script loads, without the page doing anything.
 * The API is documented in docs/snippet.md.
 */
import type { EndReason } from '../../src/protocol/index.ts';
import { attempt } from './guard.ts';
import { TandemError } from './errors.ts';
import { loadCredential, takeHandoff } from './resume-store.ts';
import { CustomerSession, type SessionState } from './session.ts';
import { openTabLink, type TabCredential } from './tabs.ts';

export type EndCause = EndReason | 'stopped';

export interface StartOptions {
  /** Called once when the session ends, from either side or by `stop()`. */
  onEnd?: (reason: EndCause) => void;
}

export interface TandemEvents {
  /** The session's state changed. */
  state: (state: SessionState) => void;
  /** The session ended (on this page). */
  end: (reason: EndCause) => void;
}

export interface TandemApi {
  /**
   * Starts a session (or returns the running one's code): resolves to the code to read out.
   * Rejects with a {@link TandemError} (`code`: `forbidden_origin`, `unreachable`,
   * `unsupported_protocol`, `rate_limited`…) whose message says what to do.
   */
  start(options?: StartOptions): Promise<string>;
  /** Ends the session at once for everyone: removes every listener, observer and the widget. */
  stop(): void;
  /** The session's state, or 'idle' when none runs. */
  readonly state: SessionState | 'idle';
  /** What the widget last told the customer beyond the state (who navigated…), '' for nothing. */
  readonly notice: string;
  /** Calls `listener` when the session ends on this page (a resumed one too); returns the undo. */
  onEnd(listener: (reason: EndCause) => void): () => void;
  /** Subscribes to an event; returns the undo. */
  on<E extends keyof TandemEvents>(event: E, listener: TandemEvents[E]): () => void;
}

declare global {
  interface Window {
    Tandem?: TandemApi;
  }
}

// Captured now: `document.currentScript` is only set while this script first runs.
const script = document.currentScript as HTMLScriptElement | null;
const origin = attempt(() => new URL(script?.src ?? '', location.href).origin) ?? location.origin;
let session: CustomerSession | undefined;
// The site's other tabs: the focused one shares the session, the others stand by.
const tabs = attempt(() =>
  openTabLink(window, origin, {
    credential: (credential) => onTabCredential(credential),
    ended: (sessionId) => session?.onTabEnded(sessionId),
    changed: () => session?.reportTab(),
  }),
);
const listeners = { state: new Set<TandemEvents['state']>(), end: new Set<TandemEvents['end']>() };

function emit<E extends keyof TandemEvents>(event: E, value: Parameters<TandemEvents[E]>[0]): void {
  for (const listener of listeners[event] as Set<(v: typeof value) => void>)
    attempt(() => listener(value));
}

function open(
  resume?: ReturnType<typeof loadCredential>,
  onEnd?: (reason: EndCause) => void,
  standby = false,
) {
  session = new CustomerSession({
    origin,
    doc: document,
    ...(resume && { resume }),
    ...(tabs && { tabs }),
    standby,
    onState: (state) => emit('state', state),
    onEnd: (reason) => {
      if (onEnd) attempt(() => onEnd(reason));
      emit('end', reason);
    },
  });
  return session;
}

const api: TandemApi = {
  start(options = {}) {
    if (session && session.state !== 'ended') return session.code;
    try {
      return open(undefined, options.onEnd).code;
    } catch (error) {
      return Promise.reject(
        error instanceof Error ? error : new TandemError('internal', String(error)),
      );
    }
  },
  stop() {
    attempt(() => session?.stop());
    session = undefined;
  },
  get state() {
    return session?.state ?? 'idle';
  },
  get notice() {
    return session?.notice ?? '';
  },
  onEnd(listener) {
    return api.on('end', listener);
  },
  on(event, listener) {
    const set = listeners[event] as Set<typeof listener>;
    set.add(listener);
    return () => void set.delete(listener);
  },
};

window.Tandem = api;

/** Another tab shares a session: this one joins it on standby (or keeps its own up to date). */
function onTabCredential(credential: TabCredential): void {
  if (session && session.state !== 'ended') return session.onTabCredential(credential);
  open({ ...credential, server: origin }, undefined, true);
}

// A session this tab already holds continues on this page; a tab in the background waits. A tab
// without one hears from the tab that shares, if any (it answers this tab's hello).
attempt(() => {
  const handoff = takeHandoff(window, origin);
  const resume = handoff ?? loadCredential(window, origin);
  if (resume) open(resume, undefined, !handoff && document.visibilityState === 'hidden');
});
