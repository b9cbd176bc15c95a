/**
 * The server's side of control, with raw socket.io clients: an action is relayed only after the
 * customer's consent, only for an agent with the control privilege, never on read-only or masked
 * nodes, and not after the customer revokes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../server/src/protocol/index.ts';
import type {
  ControlAction,
  ControlStatus,
  JoinResult,
  PageSnapshot,
  ProtocolError,
  SimpleResult,
  StartResult,
} from '../../server/src/protocol/index.ts';
import { pageSnapshot } from '../support/pages.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server: RunningServer;
const sockets: Socket[] = [];

function open(namespace: '/agent' | '/customer', token?: string): Socket {
  const socket = rawSocket(server.url, namespace, { token });
  sockets.push(socket);
  return socket;
}

const BUTTON = 5;
const READ_ONLY_BUTTON = 6;
const PASSWORD = 7;

const snapshot: PageSnapshot = pageSnapshot(
  1,
  [
    { type: 'element', id: BUTTON, tag: 'button', attrs: {}, children: [] },
    {
      type: 'element',
      id: READ_ONLY_BUTTON,
      tag: 'button',
      attrs: { 'data-tandem-readonly': '' },
      children: [],
    },
    { type: 'element', id: PASSWORD, tag: 'input', attrs: { type: 'password' }, children: [] },
  ],
  { url: 'https://shop.test/', title: 'Shop' },
);

interface Session {
  customer: Socket;
  agent: Socket;
  agentId: string;
  actions: Array<ControlAction & { agentId: string }>;
  agentErrors: ProtocolError[];
  customerStates: ControlStatus[];
}

async function session(privileges: Parameters<typeof mintTestToken>[0] = {}): Promise<Session> {
  const customer = open('/customer');
  const started = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  assert.ok(started.ok);
  const actions = record<ControlAction & { agentId: string }>(customer, 'control:action');
  const customerStates = record<ControlStatus>(customer, 'control:state');
  customer.emit('page:snapshot', snapshot);
  const agent = open('/agent', await mintTestToken(privileges));
  const agentErrors = record<ProtocolError>(agent, 'protocol:error');
  const snapshots = record<PageSnapshot>(agent, 'page:snapshot');
  const joined = (await agent
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code: started.code })) as JoinResult;
  assert.ok(joined.ok, JSON.stringify(joined));
  await waitFor(() => snapshots.length > 0, 'the agent to have the page');
  return { customer, agent, agentId: joined.agentId, actions, agentErrors, customerStates };
}

const CONTROL = { privileges: ['cobrowse:monitor', 'cobrowse:control'] } as const;

async function grant(s: Session): Promise<void> {
  const asks = record<{ agentId: string }>(s.customer, 'control:request');
  const res = (await s.agent.timeout(5000).emitWithAck('control:request', {})) as SimpleResult;
  assert.ok(res.ok, JSON.stringify(res));
  await waitFor(() => asks.length === 1, 'the customer to be asked');
  assert.equal(asks[0]?.agentId, s.agentId);
  s.customer.emit('control:answer', { agentId: s.agentId, allow: true });
  await waitFor(() => s.customerStates.some((st) => st.state === 'granted'), 'control granted');
}

/** Sends an action and waits until it is either relayed to the customer or refused to the agent. */
async function act(s: Session, action: ControlAction): Promise<'relayed' | string> {
  const relayed = s.actions.length;
  const refused = s.agentErrors.length;
  s.agent.emit('control:action', action);
  return waitFor(
    () =>
      s.actions.length > relayed
        ? 'relayed'
        : s.agentErrors.length > refused
          ? (s.agentErrors.at(-1)?.code ?? 'error')
          : undefined,
    'the action to be relayed or refused',
  );
}

before(async () => {
  server = await startServer({ limits: { messagesPerSecond: 2000 } });
});

after(async () => {
  for (const socket of sockets) socket.disconnect();
  await server.stop();
});

describe('control on the server', () => {
  it('refuses control without consent, and while the request is only pending', async () => {
    const s = await session(CONTROL);
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'control_not_granted');
    const res = (await s.agent.timeout(5000).emitWithAck('control:request', {})) as SimpleResult;
    assert.ok(res.ok);
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'control_not_granted');
    // Denied: still nothing.
    s.customer.emit('control:answer', { agentId: s.agentId, allow: false });
    await waitFor(() => s.customerStates.at(-1)?.state === 'none', 'the denial');
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'control_not_granted');
    assert.equal(s.actions.length, 0);
  });

  it('refuses an agent without the control privilege', async () => {
    const s = await session({ privileges: ['cobrowse:monitor'] });
    const res = (await s.agent.timeout(5000).emitWithAck('control:request', {})) as SimpleResult;
    assert.equal(!res.ok && res.code, 'forbidden');
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'forbidden');
  });

  it('relays actions after consent, never on read-only or masked nodes', async () => {
    const s = await session(CONTROL);
    await grant(s);
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'relayed');
    assert.deepEqual(s.actions.at(-1), { kind: 'click', target: BUTTON, agentId: s.agentId });
    assert.equal(await act(s, { kind: 'click', target: READ_ONLY_BUTTON }), 'read_only');
    assert.equal(await act(s, { kind: 'key', target: PASSWORD, key: 'a' }), 'read_only');
    assert.equal(await act(s, { kind: 'click', target: 999 }), 'read_only', 'unknown nodes too');
    assert.equal(await act(s, { kind: 'scroll', target: 1, dx: 0, dy: 100 }), 'relayed');
    assert.equal(await act(s, { kind: 'key', target: BUTTON, key: 'Enter' }), 'relayed');
    assert.equal(s.actions.length, 3);
  });

  it('stops relaying the moment the customer revokes', async () => {
    const s = await session(CONTROL);
    const agentStates = record<ControlStatus>(s.agent, 'control:state');
    await grant(s);
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'relayed');
    s.customer.emit('control:revoke');
    await waitFor(() => agentStates.at(-1)?.state === 'none', 'the agent to hear of it');
    assert.equal(await act(s, { kind: 'click', target: BUTTON }), 'control_not_granted');
    assert.equal(s.actions.length, 1);
    await waitFor(
      () => server.logs.some((l) => l.audit === true && l.event === 'control.revoked'),
      'the revocation audited',
    );
  });

  it('releases control when the agent leaves, and ignores answers for another agent', async () => {
    const s = await session(CONTROL);
    const res = (await s.agent.timeout(5000).emitWithAck('control:request', {})) as SimpleResult;
    assert.ok(res.ok);
    const customerErrors = record<ProtocolError>(s.customer, 'protocol:error');
    s.customer.emit('control:answer', { agentId: 'someone-else', allow: true });
    await waitFor(() => customerErrors.length === 1, 'the stray answer refused');
    s.customer.emit('control:answer', { agentId: s.agentId, allow: true });
    await waitFor(() => s.customerStates.at(-1)?.state === 'granted', 'granted');
    s.agent.emit('session:leave');
    await waitFor(() => s.customerStates.at(-1)?.state === 'none', 'released on leave');
  });
});
