/**
 * The customer's side of one co-browsing session: the socket, the session handshake, numbering
 * and sending what the recorder emits, and the widget. The session follows the tab across pages:
 * the resume credential lives in `sessionStorage` (resume-store.ts), each page resumes on load,
 * and leaving a page says so (page-leave.ts). Every server event handler is guarded.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  CustomerToServerEvents,
  EndReason,
  MutationOp,
  NavigateAction,
  PointerPosition,
  ServerToCustomerEvents,
  SessionView,
  StartResult,
} from '../../src/protocol/index.ts';
import {
  CUSTOMER_NAMESPACE,
  MAX_TABS,
  PROTOCOL_VERSION,
  RECONNECT_OPTIONS,
} from '../../src/protocol/index.ts';
import { guard, report } from './guard.ts';
import { currentRestrictions, setRestrictions } from './masking.ts';
import { hashMaskingPolicy } from './policy-report.ts';
import { ControlExecutor, findNode } from './control.ts';
import type { TandemError } from './errors.ts';
import { diagnoseConnectFailure, startError } from './errors.ts';
import { navigateAs, takeNotice } from './agent-navigation.ts';
import { watchPageLeave } from './page-leave.ts';
import { isPausePage } from './pause.ts';
import { startRecorder, type Recorder } from './recorder.ts';
import {
  clearCredential,
  loadCredential,
  saveCredential,
  withHandoff,
  type ResumeCredential,
} from './resume-store.ts';
import { packTreeInSlices } from './snapshot-wire.ts';
import { messageChannelYield } from './tasks.ts';
import { createWidget, describeAgents, type Widget } from './widget.ts';
import type { TabCredential, TabLink } from './tabs.ts';

export type SessionState =
  'connecting' | 'waiting' | 'active' | 'paused' | 'reconnecting' | 'standby' | 'ended';

export interface SessionOptions {
  /** The Tandem server's origin. */
  origin: string;
  doc: Document;
  /** Resume this session (the tab's stored credential, or a hand-off) instead of starting one. */
  resume?: ResumeCredential;
  /** Another tab shares the session: this one waits until it comes to the front. */
  standby?: boolean;
  /** The other tabs of the site: which one shares, and their newest credential. */
  tabs?: TabLink;
  /** Called once when the session ends, from either side. */
  onEnd?: (reason: EndReason | 'stopped') => void;
  /** Called on every state change. */
  onState?: (state: SessionState) => void;
}

type CustomerSocket = Socket<ServerToCustomerEvents, CustomerToServerEvents>;

/** How long "Session ended" stays before the widget goes away (it has a Close button too). */
const ENDED_NOTICE_MS = 10_000;
/** How long the socket stays open after the customer's End for the session's receipt. */
const RECEIPT_WAIT_MS = 5_000;
/** Connection attempts before `start()` gives up on a server that does not answer. */
const START_ATTEMPTS = 3;
/** How long the hand-off request may take before the customer's link is followed anyway. */
const HANDOFF_WAIT_MS = 3000;
/**
 * A navigation that has not left the page after this long did not happen (a 204, a download,
 * a single-page app's own route): a fresh snapshot tells the agent the page is still here.
 */
const STAYED_MS = 5000;

export class CustomerSession {
  state: SessionState = 'connecting';
  private readonly socket: CustomerSocket;
  private readonly widget: Widget;
  private readonly win: Window;
  private recorder: Recorder | undefined;
  /** Applies an agent's actions, only while the customer allows that agent. */
  private readonly control: ControlExecutor;
  private credentials: { sessionId: string; token: string } | undefined;
  /** True while the server knows this connection as the session's customer. */
  private ready = false;
  /** True once the session's receipt is on screen: the widget then stays until closed. */
  private receiptShown = false;
  /** True on a pause page, or once the customer left for a page outside the site. */
  private paused = false;
  private leftSite = false;
  private pausePages: readonly string[] = [];
  private everConnected = false;
  private failedAttempts = 0;
  private seq = 0;
  /** Counts snapshots taken: one being packed when the next starts is not sent. */
  private snapshots = 0;
  private readonly yieldTask: (task: () => void) => void;
  private readonly stopWatching: () => void;
  private readonly stopFocus: () => void;
  /** A resume from standby is under way (a refusal then means another tab won). */
  private claiming = false;
  private stayed: ReturnType<typeof setTimeout> | undefined;
  readonly code: Promise<string>;

  constructor(private readonly options: SessionOptions) {
    this.win = options.doc.defaultView ?? window;
    if (options.resume) {
      this.credentials = options.resume;
      // A hand-off from another origin is this tab's newest credential here: keep it as such.
      saveCredential(this.win, options.resume);
    }
    this.widget = createWidget(options.doc, {
      onEnd: () => this.end(),
      onDismissDrawings: () => this.dismissDrawings(),
      findElement: (id) => {
        const node = findNode(options.doc, id, (n) => this.recorder?.peekId(n));
        return node?.nodeType === Node.ELEMENT_NODE ? (node as Element) : null;
      },
    });
    const notice = takeNotice(this.win);
    if (notice) this.widget.setNotice(notice);
    this.yieldTask = messageChannelYield(this.win);
    this.socket = io(`${options.origin}${CUSTOMER_NAMESPACE}`, {
      transports: ['websocket'],
      ...RECONNECT_OPTIONS,
      autoConnect: !options.standby,
    });
    this.code = new Promise<string>((resolve, reject) => {
      this.socket.on(
        'connect',
        guard(() => this.onConnect(resolve, reject)),
      );
      this.socket.on(
        'connect_error',
        guard(() => void this.onConnectError(reject)),
      );
    });
    this.code.catch(() => undefined); // The caller may not listen; a failure is not unhandled.
    this.control = new ControlExecutor({
      doc: options.doc,
      idOf: (node) => this.recorder?.peekId(node),
      isIgnored: (node) => this.widget.host.contains(node),
    });
    this.listen();
    if (options.standby) {
      this.standBy();
      this.claim(); // A tab opened in front (a link to a new tab) takes over at once.
    }
    this.stopFocus = watchFocus(this.win, () => this.claim());
    this.stopWatching = watchPageLeave({
      win: this.win,
      onNavigating: (to) => this.onNavigating(to),
      onLeave: (to) => this.onLeave(to),
      onReturn: () => this.onReturn(),
      onCrossOrigin: (url, go) => this.onCrossOrigin(url, go),
    });
  }

  private listen(): void {
    const socket = this.socket;
    socket.on(
      'disconnect',
      guard(() => {
        this.ready = false;
        if (this.state !== 'ended') this.setState('reconnecting', 'Reconnecting…');
      }),
    );
    socket.on(
      'session:state',
      guard((view: SessionView) => this.onView(view)),
    );
    socket.on(
      'page:resync',
      guard(() => this.showPage()),
    );
    socket.on(
      'agent:pointer',
      guard((pointer) => this.widget.showPointer(pointer)),
    );
    socket.on(
      'control:request',
      guard((ask) =>
        this.widget.consent.ask(ask, (allow) => {
          if (this.ready) this.socket.emit('control:answer', { agentId: ask.agentId, allow });
        }),
      ),
    );
    socket.on(
      'control:state',
      guard((status) => {
        this.control.setGranted(status.state === 'granted' ? status.agentId : null);
        this.widget.consent.show(status, () => {
          this.control.setGranted(null); // at once, before the server confirms
          if (this.ready) this.socket.emit('control:revoke');
        });
      }),
    );
    socket.on(
      'control:action',
      // An action the snippet refuses (no consent, read-only, unknown node, paused) is not done.
      guard((action) => void (this.paused || this.control.apply(action))),
    );
    socket.on(
      'control:navigate',
      guard((action) => this.onAgentNavigate(action)),
    );
    socket.on(
      'annotation:show',
      // Nothing is drawn over a paused page: the agent does not see it either.
      guard((annotation) => void (this.paused || this.widget.annotations.show(annotation))),
    );
    socket.on(
      'annotation:cleared',
      guard(({ agentId, by }) => by === 'agent' && this.widget.annotations.clear(agentId)),
    );
    socket.on(
      'session:receipt',
      guard((receipt) => {
        // Kept on screen until the customer closes it: it is theirs to read or copy.
        this.receiptShown = true;
        this.widget.receipt(receipt);
      }),
    );
    socket.on(
      'session:ended',
      guard(({ reason }) => {
        if (this.credentials) this.options.tabs?.ended(this.credentials.sessionId);
        // The customer's own end: the socket stayed open only for the receipt, which came first.
        if (this.state === 'ended') this.socket.disconnect();
        else this.finish(reason);
      }),
    );
    socket.on(
      'session:standby',
      guard(() => this.standBy()),
    );
    socket.on(
      'protocol:error',
      guard((error) => report(`refused by server: ${error.code} (${error.event})`)),
    );
  }

  /** Tells the server which masking rules this snippet enforces (their hash). */
  private reportPolicy(): void {
    const socket = this.socket;
    hashMaskingPolicy(this.win, currentRestrictions()).then(
      guard((hash: string | null) => {
        if (hash !== null && socket.connected) socket.emit('session:policy', { hash });
      }),
      () => undefined,
    );
  }

  private onConnect(resolve: (code: string) => void, reject: (error: Error) => void): void {
    this.everConnected = true;
    const resuming = this.credentials !== undefined;
    const onResult = guard((res: StartResult) => {
      const claimed = this.claiming;
      this.claiming = false;
      if (!res.ok && claimed && res.code === 'resume_refused') {
        // Another tab came to the front at the same moment and won: its credential follows.
        this.standBy();
        return;
      }
      if (!res.ok) {
        const error = startError(res.code, res.message);
        reject(error);
        // A refused resume (the session ended, or the credential is stale): forget it quietly.
        if (resuming) {
          clearCredential(this.win);
          this.finish('server');
        } else this.fail(error); // A refused start: the widget says why, as start() does.
        return;
      }
      this.credentials = { sessionId: res.sessionId, token: res.token };
      saveCredential(this.win, { ...this.credentials, server: this.options.origin });
      this.options.tabs?.share(this.credentials);
      // The next page of a session numbers on from where the last one stopped.
      this.seq = Math.max(this.seq, res.lastSeq ?? 0);
      this.pausePages = res.pausePages ?? [];
      // The server's rules before anything is serialized; until now only the built-ins applied.
      setRestrictions(res.restrictions);
      this.reportPolicy();
      this.ready = true;
      this.reportTab();
      this.widget.setCode(res.code);
      if (this.state === 'connecting' || this.state === 'reconnecting') {
        this.setState('waiting', describeAgents([]));
      }
      resolve(res.code);
      // The page must be parsed before it is recorded (or checked for a pause marker).
      whenParsed(this.options.doc, () => this.showPage());
    });
    const stored = loadCredential(this.win, this.options.origin);
    const credentials = stored ?? this.credentials;
    if (credentials) {
      const { sessionId, token } = credentials;
      this.socket.emit(
        'session:resume',
        { protocol: PROTOCOL_VERSION, sessionId, token },
        onResult,
      );
    } else {
      const url = this.options.doc.location.href;
      this.socket.emit('session:start', { protocol: PROTOCOL_VERSION, url }, onResult);
    }
  }

  /** Before the first connection, a failure is reported: a refused origin at once. */
  private async onConnectError(reject: (error: Error) => void): Promise<void> {
    if (this.everConnected || this.state === 'ended' || this.credentials) return;
    this.failedAttempts += 1;
    const error =
      this.failedAttempts === 1
        ? await diagnoseConnectFailure(this.options.origin, this.win.fetch.bind(this.win))
        : startError('unreachable');
    if (this.everConnected || this.isEnded()) return;
    if (error.code === 'forbidden_origin' || this.failedAttempts >= START_ATTEMPTS) {
      reject(error);
      this.fail(error);
    }
  }

  private isEnded(): boolean {
    return this.state === 'ended';
  }

  /** The page as the agent should see it: a fresh snapshot, or the pause when it is a pause page. */
  private showPage(): void {
    if (!this.ready) return;
    if (this.leftSite) return;
    this.paused = isPausePage(this.options.doc, this.pausePages);
    if (this.paused) {
      this.recorder?.stop();
      this.recorder = undefined;
      this.widget.annotations.clear(null);
      this.socket.emit('page:paused', { reason: 'site' });
      this.setState('paused', 'Co-browsing is paused on this page');
      return;
    }
    if (this.state === 'paused') this.setState('waiting', describeAgents([]));
    this.recorder ??= this.startRecording();
    this.sendSnapshot();
  }

  private startRecording(): Recorder {
    return startRecorder({
      doc: this.options.doc,
      isIgnored: (node) => node === this.widget.host,
      onBatch: (ops, pointer) => this.sendBatch(ops, pointer),
      onPointer: (pointer) => {
        if (this.ready && !this.paused) this.socket.volatile.emit('page:pointer', pointer);
      },
    });
  }

  private onView(view: SessionView): void {
    if (view.status === 'ended' || this.paused) return;
    const names = view.agents.map((agent) => agent.name);
    this.setState(names.length > 0 ? 'active' : 'waiting', describeAgents(names));
  }

  private setState(state: SessionState, text: string): void {
    const changed = state !== this.state;
    this.state = state;
    this.widget.setStatus(text);
    if (changed) this.options.onState?.(state);
  }

  /** A full snapshot; the next sequence number, since a snapshot restarts nothing. */
  private sendSnapshot(): void {
    if (!this.ready || !this.recorder || this.paused) return;
    const taken = ++this.snapshots;
    const wanted = (): boolean => this.ready && !this.paused && taken === this.snapshots;
    // Taken and packed in slices; a disconnect meanwhile drops it (the resume asks for a new one).
    this.recorder.snapshot(async ({ doc, ...page }) => {
      const packed = await packTreeInSlices(doc, {
        yieldTask: this.yieldTask,
        cancelled: () => !wanted(),
      });
      if (!packed || !wanted()) return;
      this.seq += 1;
      this.socket.emit('page:snapshot', { seq: this.seq, ...page, ...packed });
    });
  }

  private sendBatch(ops: MutationOp[], pointer?: PointerPosition): void {
    // While disconnected nothing is sent (and no number used): a snapshot follows the resume.
    if (!this.ready || this.paused) return;
    this.seq += 1;
    this.socket.emit('page:batch', {
      seq: this.seq,
      sentAt: Date.now(),
      ops,
      ...(pointer && { pointer }),
    });
  }

  /** Tells the agents which tab shares, and how many are open. */
  reportTab(): void {
    const tabs = this.options.tabs;
    if (!this.ready || !tabs) return;
    const count = Math.min(tabs.count(), MAX_TABS);
    this.socket.emit('page:tab', { index: Math.min(tabs.index(), count), count });
  }

  /**
   * Another tab took the session over (the server said so, or that tab did): this one stops
   * sending and waits, its widget offering to share this tab instead.
   */
  private standBy(): void {
    if (this.state === 'ended') return;
    this.ready = false;
    clearTimeout(this.stayed);
    this.recorder?.stop();
    this.recorder = undefined;
    this.control.setGranted(null);
    this.widget.consent.clear();
    this.widget.annotations.clear(null);
    if (this.socket.connected || this.socket.active) this.socket.disconnect();
    this.setState('standby', 'Co-browsing continues in another tab');
    this.widget.offerShare(() => this.claim(true));
  }

  /** This tab comes to the front (or the customer asks): it shares the session from now on. */
  private claim(asked = false): void {
    if (this.state !== 'standby') return;
    if (!asked && !isInFront(this.options.doc)) return;
    this.widget.offerShare(null);
    this.claiming = true;
    this.setState('connecting', 'Connecting…');
    this.socket.connect();
  }

  /** Another tab shares now, with this credential: kept for when this one takes over. */
  onTabCredential(credential: TabCredential): void {
    if (this.state === 'ended') return;
    this.credentials = credential;
    saveCredential(this.win, { ...credential, server: this.options.origin });
    if (this.state !== 'standby') this.standBy();
  }

  /** The session ended in another tab. */
  onTabEnded(sessionId: string): void {
    if (this.state === 'ended' || this.credentials?.sessionId !== sessionId) return;
    this.finish('customer', true, 'Co-browsing ended in another tab.');
  }

  /** The customer cleared the agents' drawings: the agents hear of it. */
  private dismissDrawings(): void {
    if (this.ready) this.socket.emit('annotation:dismiss');
  }

  /** A navigation started: the agent reads where to while the next page loads. */
  private onNavigating(to: string): void {
    if (!this.ready || this.leftSite) return;
    this.socket.emit('page:navigating', { to });
    clearTimeout(this.stayed);
    this.stayed = setTimeout(
      guard(() => this.showPage()),
      STAYED_MS,
    );
  }

  /**
   * The tab leaves the page. The agent hears where to; the socket closes at once, so the next
   * page (or this one, back from the back/forward cache) resumes with the stored credential.
   */
  private onLeave(to: string): void {
    if (this.state === 'ended') return;
    clearTimeout(this.stayed);
    if (this.ready && !this.leftSite) this.socket.emit('page:navigating', { to });
    this.ready = false;
    this.recorder?.stop();
    this.recorder = undefined;
    this.socket.disconnect();
  }

  private onReturn(): void {
    if (this.state === 'ended') return;
    const notice = takeNotice(this.win);
    if (notice) this.widget.setNotice(notice);
    this.leftSite = false;
    this.paused = false;
    this.setState('reconnecting', 'Reconnecting…');
    this.socket.connect();
  }

  /**
   * A link to another origin: the server hands out a one-time credential for it when it is an
   * origin of the site; otherwise the session pauses (the agent is told) and the link is followed.
   */
  private onCrossOrigin(url: URL, follow: (href: string) => void): boolean {
    if (!this.ready || !this.credentials) return false;
    const { sessionId } = this.credentials;
    this.socket
      .timeout(HANDOFF_WAIT_MS)
      .emitWithAck('session:handoff', { origin: url.origin })
      .then(
        guard((res) => {
          if (res.ok) return follow(withHandoff(url.href, sessionId, res.token));
          this.leaveSite(url);
          follow(url.href);
          // A navigation that does not leave the page (a 204, a download) did not leave the site.
          clearTimeout(this.stayed);
          this.stayed = setTimeout(
            guard(() => this.backOnSite()),
            STAYED_MS,
          );
        }),
        guard(() => follow(url.href)),
      );
    return true;
  }

  /** Still on this page after leaving the site was announced: co-browsing goes on. */
  private backOnSite(): void {
    if (!this.leftSite || this.state === 'ended') return;
    this.leftSite = false;
    this.showPage();
  }

  private leaveSite(url: URL): void {
    this.leftSite = true;
    this.paused = true;
    if (this.ready) this.socket.emit('page:paused', { reason: 'left_site' });
    this.setState('paused', `Co-browsing is paused: ${url.host} is outside this site`);
  }

  private onAgentNavigate(action: NavigateAction & { agentId: string; name: string }): void {
    // The snippet's own check: consent to this very agent, and nothing while paused.
    if (this.paused || this.control.granted !== action.agentId) {
      report(`agent navigation refused: ${this.paused ? 'paused' : 'control not granted'}`);
      return;
    }
    navigateAs(this.win, action, (notice) => this.widget.setNotice(notice));
  }

  /** What the widget last told the customer beyond the state. */
  get notice(): string {
    return this.widget.notice;
  }

  /** Ends the session for everyone (the widget's button). */
  end(): void {
    if (this.state === 'ended') return;
    if (this.credentials) this.options.tabs?.ended(this.credentials.sessionId);
    if (!this.socket.connected) return this.finish('customer');
    this.socket.emit('session:end');
    // The receipt comes just before the server's `session:ended`; after a while, without.
    const timer = setTimeout(
      guard(() => this.socket.disconnect()),
      RECEIPT_WAIT_MS,
    );
    this.socket.once('disconnect', () => clearTimeout(timer));
    this.finish('customer', true, null, true);
  }

  /** The site ends co-browsing: the session ends for everyone and nothing is left behind. */
  stop(): void {
    if (this.state !== 'ended' && this.credentials)
      this.options.tabs?.ended(this.credentials.sessionId);
    if (this.state !== 'ended' && this.socket.connected) this.socket.emit('session:end');
    this.finish('stopped', false);
  }

  /** `start()` failed: the widget says why for a moment, and nothing is left behind. */
  private fail(error: TandemError): void {
    this.finish('server', true, error.message);
  }

  private finish(
    reason: EndReason | 'stopped',
    notice = true,
    text: string | null = null,
    awaitReceipt = false,
  ): void {
    const wasEnded = this.state === 'ended';
    this.state = 'ended';
    this.ready = false;
    clearTimeout(this.stayed);
    clearCredential(this.win);
    this.control.setGranted(null);
    this.recorder?.stop();
    this.recorder = undefined;
    this.stopWatching();
    this.stopFocus();
    if (!awaitReceipt) this.socket.disconnect();
    if (notice && reason !== 'stopped') {
      // A start that failed says why; any other end says who ended it, and when.
      if (text !== null) this.widget.setStatus(text);
      else this.widget.ended(reason, Date.now());
      setTimeout(
        guard(() => this.receiptShown || this.widget.remove()),
        ENDED_NOTICE_MS,
      );
    } else {
      this.widget.remove();
    }
    if (!wasEnded) {
      this.options.onState?.('ended');
      this.options.onEnd?.(reason);
    }
  }
}

/** Whether the customer is looking at this tab: shown, and its window has the focus. */
function isInFront(doc: Document): boolean {
  return doc.visibilityState === 'visible' && doc.hasFocus();
}

/** Calls `onFront` when the tab comes to the front; returns the undo. */
function watchFocus(win: Window, onFront: () => void): () => void {
  const handler = guard(onFront);
  win.addEventListener('focus', handler);
  win.document.addEventListener('visibilitychange', handler);
  return () => {
    win.removeEventListener('focus', handler);
    win.document.removeEventListener('visibilitychange', handler);
  };
}

/** Runs `task` once the document is parsed (at once when it already is). */
function whenParsed(doc: Document, task: () => void): void {
  if (doc.readyState !== 'loading') return task();
  doc.addEventListener('DOMContentLoaded', guard(task), { once: true });
}
