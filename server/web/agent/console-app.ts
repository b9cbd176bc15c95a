/**
 * The agent console: the join form, the session bar (state, who is present, Leave, End), the view
 * of the customer's page and, for supervisors, the list of live sessions. Wires the connection to
 * the mirror and the viewer.
 */
import type { EndReason, SessionView } from '../../src/protocol/index.ts';
import { AgentConnection, type ConnectionState, type JoinTarget } from './connection.ts';
import { ControlPanel } from './control-panel.ts';
import { forgetToken, isTokenShaped, loadToken, saveToken } from './login-token.ts';
import { PageMirror } from './page-mirror.ts';
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

const END_MESSAGES: Record<EndReason | 'left', string> = {
  customer: 'The customer ended the session.',
  agent: 'The session was ended by an agent.',
  expired: 'The session expired.',
  idle: 'The session ended after being idle.',
  server: 'The server ended the session.',
  left: 'You left the session.',
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
}

function byId<T extends HTMLElement>(doc: Document, id: string): T {
  const el = doc.getElementById(id);
  if (!el) throw new Error(`the console page has no #${id}`);
  return el as T;
}

/** Who is in the session, for the session bar. */
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

export function startConsole(doc: Document): AgentHooks {
  const form = byId<HTMLFormElement>(doc, 'join-form');
  const codeInput = byId<HTMLInputElement>(doc, 'code');
  const nameInput = byId<HTMLInputElement>(doc, 'name');
  const sessionBar = byId(doc, 'session');
  const stateEl = byId(doc, 'state');
  const people = byId(doc, 'people');
  const message = byId(doc, 'message');
  const placeholder = byId(doc, 'placeholder');
  const viewportEl = byId(doc, 'viewport');
  const frame = byId<HTMLIFrameElement>(doc, 'view');
  const tokenInput = byId<HTMLInputElement>(doc, 'token');
  const backButton = byId<HTMLButtonElement>(doc, 'back');
  const leaveButton = byId<HTMLButtonElement>(doc, 'leave');
  let token = loadToken(location, history);
  byId(doc, 'token-field').hidden = token !== null;
  let sessions: SessionsScreen | undefined;

  let connection: AgentConnection | undefined;
  let state: ConnectionState | 'idle' = 'idle';
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

  const controlPanel = new ControlPanel(
    {
      button: byId<HTMLButtonElement>(doc, 'control'),
      label: byId(doc, 'control-state'),
      overlay: byId(doc, 'overlay'),
      frame,
    },
    (node) => mirror.idOf(node),
    () => viewer.currentScale,
  );

  const setState = (next: ConnectionState): void => {
    state = next;
    stateEl.dataset.state = next;
    stateEl.textContent = STATE_LABELS[next];
  };

  const showForm = (text: string): void => {
    form.hidden = false;
    sessionBar.hidden = true;
    message.textContent = text;
  };

  const forgetSignIn = (): void => {
    forgetToken();
    token = null;
    byId(doc, 'token-field').hidden = false;
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
    if (!sessions) return;
    placeholder.hidden = true;
    viewportEl.hidden = true;
    sessions.panel.show();
  };

  const join = (target: JoinTarget): void => {
    connection?.close();
    sessions?.panel.hide();
    message.textContent = '';
    form.hidden = true;
    sessionBar.hidden = false;
    people.textContent = '';
    // Watching came from the list, so the way out leads back to it.
    backButton.hidden = !('sessionId' in target);
    leaveButton.hidden = !backButton.hidden;
    connection = new AgentConnection(
      location.origin,
      { ...target, token: token ?? '' },
      {
        state: setState,
        view: (view) => {
          people.textContent = describePeople(view);
        },
        snapshot: (snapshot) => {
          placeholder.hidden = true;
          viewportEl.hidden = false;
          mirror.applySnapshot(snapshot);
        },
        batch: (batch) => mirror.applyOps(batch.ops),
        pointer: (pointer) => viewer.showCustomerPointer(pointer),
        ended: (reason) => {
          controlPanel.attach(undefined);
          showForm(END_MESSAGES[reason]);
          showHome();
        },
        control: (status) => controlPanel.update(status),
        refused: (text) => {
          if (/sign/i.test(text)) forgetSignIn();
          setState('ended');
          showForm(text);
          showHome();
        },
      },
    );
    controlPanel.attach(connection);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = codeInput.value.trim();
    const pasted = tokenInput.value.trim();
    if (pasted) {
      if (!isTokenShaped(pasted)) return showForm('That token is not a valid sign-in token.');
      token = pasted;
      saveToken(pasted);
      tokenInput.value = '';
      byId(doc, 'token-field').hidden = true;
      sessions?.close();
      sessions = undefined;
    }
    if (!token) return showForm('Sign in first, or paste your token.');
    if (code) return join({ code, name: nameInput.value });
    showForm(
      tokenGrants(token, 'cobrowse:supervise') ? '' : 'Enter the code the customer reads to you.',
    );
    showHome();
  });
  leaveButton.addEventListener('click', () => connection?.leave());
  backButton.addEventListener('click', () => {
    connection?.leave();
    message.textContent = ''; // Going back to the list is no news.
  });
  byId(doc, 'end').addEventListener('click', () => connection?.end());

  const fromUrl = new URLSearchParams(location.search).get('code');
  if (fromUrl) {
    codeInput.value = fromUrl;
    const name = new URLSearchParams(location.search).get('name');
    if (name) nameInput.value = name;
    join({ code: fromUrl.trim(), name: nameInput.value });
  } else {
    showHome();
  }

  return {
    state: () => state,
    nodeCount: () => mirror.nodeCount,
    lastSeq: () => connection?.lastSeq ?? 0,
    scale: () => viewer.currentScale,
    controlMode: () => controlPanel.mode,
    sessionsShown: () => sessions?.panel.shown ?? false,
  };
}
