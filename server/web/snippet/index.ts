/**
 * The snippet's entry point: `<script src="https://tandem.example/tandem.js">` defines
 * `window.Tandem`. It connects to the origin it was loaded from, so the site needs no config.
 */
import type { EndReason } from '../../src/protocol/index.ts';
import { attempt } from './guard.ts';
import { CustomerSession, type SessionState } from './session.ts';

export interface StartOptions {
  /** Called once when the session ends, from either side or by `stop()`. */
  onEnd?: (reason: EndReason | 'stopped') => void;
}

export interface TandemApi {
  /** Starts a session (or returns the running one's code): resolves to the code to read out. */
  start(options?: StartOptions): Promise<string>;
  /** Ends the local session at once: removes every listener, observer and the widget. */
  stop(): void;
  /** The session's state, or 'idle' when none runs. */
  readonly state: SessionState | 'idle';
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

const api: TandemApi = {
  start(options = {}) {
    if (session && session.state !== 'ended') return session.code;
    try {
      const onEnd = options.onEnd;
      session = new CustomerSession({
        origin,
        doc: document,
        ...(onEnd && { onEnd: (reason: EndReason | 'stopped') => attempt(() => onEnd(reason)) }),
      });
      return session.code;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
  stop() {
    attempt(() => session?.stop());
    session = undefined;
  },
  get state() {
    return session?.state ?? 'idle';
  },
};

window.Tandem = api;
