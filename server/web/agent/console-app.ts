/**
 * The agent console: the join form, the session bar (state, who is present, Leave, End), and the
 * view of the customer's page. Wires the connection to the mirror and the viewer.
 */
import type { EndReason, SessionView } from '../../src/protocol/index.ts';
import { AgentConnection, type ConnectionState } from './connection.ts';
import { ControlPanel } from './control-panel.ts';
import { forgetToken, isTokenShaped, loadToken, saveToken } from './login-token.ts';
import { PageMirror } from './page-mirror.ts';
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
  let token = loadToken(location, history);
  byId(doc, 'token-field').hidden = token !== null;

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

  const join = (code: string, name: string): void => {
    connection?.close();
    message.textContent = '';
    form.hidden = true;
    sessionBar.hidden = false;
    people.textContent = '';
    connection = new AgentConnection(
      location.origin,
      { code, name, token: token ?? '' },
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
        },
        control: (status) => controlPanel.update(status),
        refused: (text) => {
          if (/sign/i.test(text)) {
            forgetToken();
            token = null;
            byId(doc, 'token-field').hidden = false;
          }
          setState('ended');
          showForm(text);
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
    }
    if (!token) return showForm('Sign in first, or paste your token.');
    if (code) join(code, nameInput.value);
  });
  byId(doc, 'leave').addEventListener('click', () => connection?.leave());
  byId(doc, 'end').addEventListener('click', () => connection?.end());

  const fromUrl = new URLSearchParams(location.search).get('code');
  if (fromUrl) {
    codeInput.value = fromUrl;
    const name = new URLSearchParams(location.search).get('name');
    if (name) nameInput.value = name;
    join(fromUrl.trim(), nameInput.value);
  }

  return {
    state: () => state,
    nodeCount: () => mirror.nodeCount,
    lastSeq: () => connection?.lastSeq ?? 0,
    scale: () => viewer.currentScale,
    controlMode: () => controlPanel.mode,
  };
}
