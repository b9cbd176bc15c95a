/**
 * The agent console: the join form, the session bar (state, control, tools, Leave, End), the view
 * of the customer's page with the notice over it, the session panel beside it and, for
 * supervisors, the list of live sessions. Wires the connection to the mirror and the viewer.
 */
import type { PageSnapshot, SessionReceipt, SessionView } from '../../src/protocol/index.ts';
import { DEFAULT_RESTRICTIONS } from '../../src/protocol/restrictions.ts';
import { holdsRebuildPolicy } from './build-node.ts';
import { AnnotationTools } from './annotation-tools.ts';
import { AgentConnection, type ConnectionState, type JoinTarget } from './connection.ts';
import { ControlPanel } from './control-panel.ts';
import { EndScreen } from './end-screen.ts';
import { JoinForm } from './join-form.ts';
import { forgetToken, isTokenShaped, loadToken, saveToken } from './login-token.ts';
import { countRestrictions, describeMasking, isRestrictedElement } from './masking-summary.ts';
import { NoticeArea } from './notice-area.ts';
import {
  describeOutcome,
  refusalOutcome,
  type NoticeDetails,
  type OutcomeCode,
} from './outcomes.ts';
import { NavigationBar } from './navigation-bar.ts';
import { PageMirror } from './page-mirror.ts';
import { PageStatus, type PageStatusKind } from './page-status.ts';
import { SessionDetails } from './session-details.ts';
import { SessionLister } from './session-lister.ts';
import { SessionsPanel } from './sessions-panel.ts';
import { tokenGrants } from './token-claims.ts';
import { Viewer } from './viewer.ts';

const STATE_LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  ended: 'Session ended',
};

/** Read-only hooks for tests and diagnostics; they expose no secrets. */
export interface AgentHooks {
  state(): ConnectionState | 'idle';
  nodeCount(): number;
  lastSeq(): number;
  scale(): number;
  /** 'none', 'requested', 'granted' (to this console) or 'other'. */
  controlMode(): string;
  /** Whether the supervisor's Sessions panel is shown. */
  sessionsShown(): boolean;
  /** The stable code of the notice shown now, or null. */
  notice(): string | null;
  /** The drawing tool chosen, and how many drawings are shown over the view. */
  tool(): string;
  drawings(): number;
  /** Whether the rebuild code holds the console's Trusted Types policy. */
  trustedTypes(): boolean;
  /** The customer's page: live, navigating, paused or left. */
  pageStatus(): PageStatusKind;
  /** What the session bar's state chip says. */
  stateText(): string;
}

function byId<T extends HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (!el) throw new Error(`the console page has no #${id}`);
  return el as T;
}

/** Who is in the session, in one line. */
export function describePeople(view: SessionView): string {
  const agents = view.agents.map((agent) => agent.name).join(', ') || 'no agent';
  return `Customer ${view.customerConnected ? 'connected' : 'away'} · Agents: ${agents}`;
}

interface SessionsScreen {
  panel: SessionsPanel;
  close(): void;
}

/** The Sessions panel and the socket that lists for it. */
function openSessionsScreen(
  doc: Document,
  token: string,
  watch: (sessionId: string) => void,
  refused: (message: string) => void,
): SessionsScreen {
  const lister = new SessionLister(location.origin, token, {
    connected: () => void panel.refresh(false),
    refused,
  });
  const panel = new SessionsPanel(
    {
      panel: byId(doc, 'sessions'),
      table: byId<HTMLTableElement>(doc, 'sessions-table'),
      rows: byId<HTMLTableSectionElement>(doc, 'sessions-rows'),
      empty: byId(doc, 'sessions-empty'),
      status: byId(doc, 'sessions-status'),
      updated: byId(doc, 'sessions-updated'),
      error: byId(doc, 'sessions-error'),
      refresh: byId<HTMLButtonElement>(doc, 'sessions-refresh'),
    },
    lister,
    watch,
  );
  return {
    panel,
    close: () => {
      panel.hide();
      lister.close();
    },
  };
}

const BLANK_PAGE: PageSnapshot = {
  seq: 0,
  url: '',
  title: '',
  viewport: { width: 1280, height: 800 },
  doc: { type: 'document', id: -1, children: [] },
};

/** How long page changes may pile up before the masking count is taken again. */
const RECOUNT_MS = 300;

/** The warning while the customer's snippet masks by other rules than the server's. */
const POLICY_WARNING =
  "Warning: the customer's page masks by other rules than this server's (a modified or outdated snippet). The server still masks by its own rules. (code: policy_mismatch)";

export function startConsole(doc: Document): AgentHooks {
  const joinForm = new JoinForm({
    form: byId<HTMLFormElement>(doc, 'join-form'),
    code: byId<HTMLInputElement>(doc, 'code'),
    name: byId<HTMLInputElement>(doc, 'name'),
    nameField: byId(doc, 'name-field'),
    token: byId<HTMLInputElement>(doc, 'token'),
    tokenField: byId(doc, 'token-field'),
    signIn: byId<HTMLAnchorElement>(doc, 'sign-in'),
    signedIn: byId(doc, 'signed-in'),
  });
  const form = byId<HTMLFormElement>(doc, 'join-form');
  const tokenInput = byId<HTMLInputElement>(doc, 'token');
  const sessionBar = byId(doc, 'session');
  const stateEl = byId(doc, 'state');
  const message = byId(doc, 'message');
  const placeholder = byId(doc, 'placeholder');
  const viewportEl = byId(doc, 'viewport');
  const frame = byId<HTMLIFrameElement>(doc, 'view');
  const backButton = byId<HTMLButtonElement>(doc, 'back');
  const leaveButton = byId<HTMLButtonElement>(doc, 'leave');
  let token = loadToken(location, history);
  joinForm.setToken(token);
  let sessions: SessionsScreen | undefined;
  const restrictions = DEFAULT_RESTRICTIONS;

  let connection: AgentConnection | undefined;
  let state: ConnectionState | 'idle' = 'idle';
  const notices = new NoticeArea({
    box: byId(doc, 'notice'),
    text: byId(doc, 'notice-text'),
    code: byId(doc, 'notice-code'),
    close: byId<HTMLButtonElement>(doc, 'notice-close'),
  });
  const notify = (code: OutcomeCode, details?: NoticeDetails): void =>
    notices.show(describeOutcome(code, details));
  const details = new SessionDetails({
    panel: byId(doc, 'details'),
    toggle: byId<HTMLButtonElement>(doc, 'details-toggle'),
    page: byId(doc, 'detail-page'),
    url: byId(doc, 'detail-url'),
    tab: byId(doc, 'detail-tab'),
    time: byId(doc, 'detail-time'),
    customer: byId(doc, 'detail-customer'),
    agents: byId(doc, 'people'),
    control: byId(doc, 'detail-control'),
    masking: byId(doc, 'detail-masking'),
    connection: byId(doc, 'detail-connection'),
  });
  const endScreen = new EndScreen({
    box: byId(doc, 'ended'),
    text: byId(doc, 'ended-text'),
    next: byId(doc, 'ended-next'),
    receipt: byId(doc, 'ended-receipt'),
    hash: byId(doc, 'ended-hash'),
  });
  const viewer = new Viewer(
    {
      stage: byId(doc, 'stage'),
      viewport: viewportEl,
      frame,
      cursor: byId(doc, 'customer-cursor'),
      overlay: byId(doc, 'overlay'),
    },
    (pointer) => connection?.sendPointer(pointer),
  );
  const mirror = new PageMirror(frame, {
    frameSrc: '/agent/frame.html',
    onViewport: (size) => viewer.setViewport(size),
  });

  let recountTimer: ReturnType<typeof setTimeout> | undefined;
  const recount = (): void => {
    if (recountTimer !== undefined) return;
    recountTimer = setTimeout(() => {
      recountTimer = undefined;
      const page = frame.contentDocument;
      if (page) details.setMasking(describeMasking(countRestrictions(page, restrictions)));
    }, RECOUNT_MS);
  };

  const tools = new AnnotationTools(
    {
      tools: ['tool-point', 'tool-highlight', 'tool-draw'].map((id) =>
        byId<HTMLButtonElement>(doc, id),
      ),
      clear: byId<HTMLButtonElement>(doc, 'clear-drawings'),
      overlay: byId(doc, 'overlay'),
      frame,
      layer: doc.getElementById('annotations') as unknown as SVGSVGElement,
    },
    {
      idOf: (node) => mirror.idOf(node),
      node: (id) => mirror.node(id),
      scale: () => viewer.currentScale,
      dismissed: () => notify('annotation.dismissed'),
    },
  );

  const controlPanel = new ControlPanel(
    {
      button: byId<HTMLButtonElement>(doc, 'control'),
      label: byId(doc, 'control-state'),
      overlay: byId(doc, 'overlay'),
      frame,
    },
    {
      idOf: (node) => mirror.idOf(node),
      scale: () => viewer.currentScale,
      notify,
      canControl: () => tokenGrants(token, 'cobrowse:control'),
      isMasked: (el) => isRestrictedElement(el, restrictions),
      pointing: () => tools.tool === 'point',
      changed: (text) => details.setControl(text),
    },
  );

  const showState = (): void => {
    if (state === 'idle') return;
    stateEl.dataset.state = state;
    stateEl.textContent = STATE_LABELS[state];
  };
  // Navigating, paused, left: what the agent must know of the customer's page (page-status.ts).
  const pageStatus = new PageStatus(
    {
      state: stateEl,
      banner: byId(doc, 'page-banner'),
      screen: byId(doc, 'page-paused'),
      viewport: viewportEl,
    },
    showState,
  );
  const navigationBar = new NavigationBar({
    bar: byId(doc, 'nav'),
    back: byId<HTMLButtonElement>(doc, 'nav-back'),
    forward: byId<HTMLButtonElement>(doc, 'nav-forward'),
    reload: byId<HTMLButtonElement>(doc, 'nav-reload'),
    form: byId<HTMLFormElement>(doc, 'nav-form'),
    url: byId<HTMLInputElement>(doc, 'nav-url'),
  });
  let pageUrl: string | undefined;
  /** The receipt of the session being viewed, once it ends. */
  let receipt: SessionReceipt | null = null;
  /** The customer's tab that shares, as last reported (its place among the site's tabs). */
  let sharedTab: number | undefined;

  const setState = (next: ConnectionState): void => {
    state = next;
    // The customer's absence is news that the agent's own "Connected" must not hide.
    if (next !== 'connected' || pageStatus.kind !== 'left') showState();
    details.setLink(STATE_LABELS[next]);
  };

  const showForm = (text: string): void => {
    form.hidden = false;
    sessionBar.hidden = true;
    message.textContent = text;
  };

  /** Out of a session: nothing of the customer's page stays on screen. */
  const policyWarning = byId(doc, 'policy-warning');
  /** Shown while the session's snippet masks by other rules than the server's. */
  const showPolicyWarning = (message: string | null): void => {
    policyWarning.hidden = message === null;
    policyWarning.textContent = message ?? '';
  };
  const closeView = (): void => {
    showPolicyWarning(null);
    controlPanel.attach(undefined);
    tools.attach(undefined);
    navigationBar.setControl(undefined);
    pageStatus.reset();
    // An empty page in place of the customer's: nothing of it lingers once the session is over.
    mirror.applySnapshot(BLANK_PAGE);
    viewportEl.hidden = true;
    details.exit();
  };

  const forgetSignIn = (): void => {
    forgetToken();
    token = null;
    joinForm.setToken(null);
    sessions?.close();
    sessions = undefined;
  };

  /**
   * Out of a session: supervisors see the list of live sessions, others the prompt for a code.
   * The token is read only to choose the screen; the server authorizes every request.
   */
  const showHome = (): void => {
    if (!sessions && token !== null && tokenGrants(token, 'cobrowse:supervise')) {
      sessions = openSessionsScreen(
        doc,
        token,
        (sessionId) => join({ sessionId }),
        (text) => {
          forgetSignIn();
          showForm(text);
        },
      );
    }
    viewportEl.hidden = true;
    if (!sessions) {
      placeholder.hidden = !endScreen.shown ? false : true;
      return;
    }
    placeholder.hidden = true;
    sessions.panel.show();
  };

  const join = (target: JoinTarget): void => {
    connection?.close();
    sessions?.panel.hide();
    endScreen.hide();
    notices.clear();
    message.textContent = '';
    form.hidden = true;
    sessionBar.hidden = false;
    placeholder.hidden = false;
    details.enter();
    pageStatus.reset();
    sharedTab = undefined;
    // Watching came from the list, so the way out leads back to it.
    const fromList = 'sessionId' in target;
    backButton.hidden = !fromList;
    leaveButton.hidden = fromList;
    receipt = null;
    connection = new AgentConnection(
      location.origin,
      { ...target, token: token ?? '' },
      {
        state: setState,
        view: (view) => {
          if (view.policyMismatch) showPolicyWarning(POLICY_WARNING);
          details.setView(view, connection?.agentId);
          if (view.tab) {
            const label = `tab ${view.tab.index} of ${view.tab.count}`;
            details.setTab(view.tab.count > 1 ? `Shared: ${label}` : 'One tab');
            if (sharedTab !== undefined && sharedTab !== view.tab.index)
              notify('tab.switched', { name: label });
            sharedTab = view.tab.index;
          }
          pageStatus.update(view, pageUrl);
        },
        snapshot: (snapshot) => {
          placeholder.hidden = true;
          viewportEl.hidden = false;
          pageUrl = snapshot.url;
          navigationBar.setUrl(snapshot.url);
          pageStatus.pageShown();
          mirror.applySnapshot(snapshot);
          details.setPage(snapshot);
          recount();
        },
        batch: (batch) => {
          mirror.applyOps(batch.ops);
          if (batch.relayedAt !== undefined) details.pageDelay(Date.now() - batch.relayedAt);
          recount();
        },
        pointer: (pointer) => viewer.showCustomerPointer(pointer),
        warning: (warning) => {
          if (warning.code === 'policy_mismatch') showPolicyWarning(POLICY_WARNING);
        },
        receipt: (r) => {
          receipt = r;
        },
        ended: (reason) => {
          closeView();
          notices.clear();
          const supervising = sessions !== undefined;
          if (reason === 'left' && fromList) {
            // Going back to the list is no news.
            showForm('');
          } else {
            showForm('');
            endScreen.show(reason, Date.now(), supervising);
            endScreen.showReceipt(receipt);
          }
          showHome();
          if (!supervising) joinForm.focusCode();
        },
        control: (status) => {
          controlPanel.update(status);
          const live = connection;
          navigationBar.setControl(
            controlPanel.mode === 'granted' && live
              ? (action) => live.sendNavigate(action)
              : undefined,
          );
        },
        annotation: (annotation) => tools.show(annotation),
        annotationsCleared: (cleared) => tools.cleared(cleared),
        rejected: (error) => {
          if (error.event.startsWith('control:')) controlPanel.refused(error.code, error.message);
          else if (error.event.startsWith('annotation:')) {
            const outcome = refusalOutcome(error.code);
            notify(outcome, { name: outcome === 'refused.other' ? error.message : undefined });
          } else notify('refused.other', { name: error.message });
        },
        refused: (text) => {
          if (/sign/i.test(text)) forgetSignIn();
          closeView();
          setState('ended');
          showForm(text);
          showHome();
        },
      },
    );
    controlPanel.attach(connection);
    tools.attach(connection);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = joinForm.code;
    const pasted = tokenInput.value.trim();
    if (pasted) {
      if (!isTokenShaped(pasted)) return showForm('That token is not a valid sign-in token.');
      token = pasted;
      saveToken(pasted);
      tokenInput.value = '';
      joinForm.setToken(token);
      sessions?.close();
      sessions = undefined;
    }
    if (!token) return showForm('Sign in first (the code you typed is kept), or paste your token.');
    if (code) return join({ code, name: joinForm.name });
    endScreen.hide();
    showForm(
      tokenGrants(token, 'cobrowse:supervise') ? '' : 'Enter the code the customer reads to you.',
    );
    showHome();
  });
  leaveButton.addEventListener('click', () => connection?.leave());
  backButton.addEventListener('click', () => connection?.leave());
  byId(doc, 'end').addEventListener('click', () => connection?.end());

  const query = new URLSearchParams(location.search);
  const fromUrl = query.get('code');
  joinForm.fill(fromUrl ?? '', query.get('name'));
  if (fromUrl && token) join({ code: fromUrl.trim(), name: joinForm.name });
  else if (fromUrl) showForm('Sign in first (the code you typed is kept), or paste your token.');
  else showHome();

  return {
    state: () => state,
    nodeCount: () => mirror.nodeCount,
    lastSeq: () => connection?.lastSeq ?? 0,
    scale: () => viewer.currentScale,
    controlMode: () => controlPanel.mode,
    sessionsShown: () => sessions?.panel.shown ?? false,
    notice: () => notices.shown?.code ?? null,
    tool: () => tools.tool,
    drawings: () => tools.count,
    trustedTypes: holdsRebuildPolicy,
    pageStatus: () => pageStatus.kind,
    stateText: () => stateEl.textContent ?? '',
  };
}
