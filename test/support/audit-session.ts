/**
 * A full session with every security event the audit knows of a session: start, a refused join
 * (no privilege), a wrong code, join, control requested, denied, requested, granted, a refused
 * action, revoked, requested, granted, released, end. The customer and the agent may be on
 * different nodes.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type ControlStatus,
  type JoinResult,
  type ProtocolError,
  type SessionReceipt,
  type SimpleResult,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from './agent-tokens.ts';
import { element, pageSnapshot } from './pages.ts';
import { rawSocket, record } from './raw-sockets.ts';
import { waitFor } from './wait.ts';

/** The session's events, in the order they happen. */
export const FULL_SESSION_EVENTS = [
  'session.started',
  'agent.refused',
  'code.refused',
  'agent.joined',
  'control.requested',
  'control.denied',
  'control.requested',
  'control.granted',
  'control.refused',
  'control.revoked',
  'control.requested',
  'control.granted',
  'control.released',
  'session.ended',
] as const;

export interface FullSession {
  sessionId: string;
  agentSubject: string;
  sockets: Socket[];
  /** The receipts each side got before `session:ended`. */
  customerReceipt: SessionReceipt | null;
  agentReceipt: SessionReceipt | null;
}

export async function runFullSession(customerUrl: string, agentUrl: string): Promise<FullSession> {
  const sockets: Socket[] = [];
  const open = (url: string, ns: '/agent' | '/customer', token?: string): Socket => {
    const socket = rawSocket(url, ns, { token });
    sockets.push(socket);
    return socket;
  };
  const customer = open(customerUrl, '/customer');
  const started = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  assert.ok(started.ok, JSON.stringify(started));
  const states = record<ControlStatus>(customer, 'control:state');
  const asks = record<{ agentId: string }>(customer, 'control:request');
  customer.emit(
    'page:snapshot',
    pageSnapshot(1, [element(5, 'button', { 'data-tandem-readonly': '' })]),
  );

  const viewer = open(agentUrl, '/agent', await mintTestToken({ name: 'Vi', privileges: [] }));
  const refused = (await viewer
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code: started.code })) as JoinResult;
  assert.equal(!refused.ok && refused.code, 'forbidden');

  const agentSubject = 'test:audit-agent';
  const agent = open(
    agentUrl,
    '/agent',
    await mintTestToken({
      name: 'Ada',
      sub: agentSubject,
      privileges: ['cobrowse:monitor', 'cobrowse:control'],
    }),
  );
  const errors = record<ProtocolError>(agent, 'protocol:error');
  const wrong = (await agent
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code: '000-000' })) as JoinResult;
  assert.equal(wrong.ok, false);
  const joined = (await agent
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code: started.code })) as JoinResult;
  assert.ok(joined.ok, JSON.stringify(joined));
  const agentId = joined.agentId;

  const ask = async (allow: boolean): Promise<void> => {
    const asked = asks.length;
    const res = (await agent.timeout(5000).emitWithAck('control:request', {})) as SimpleResult;
    assert.ok(res.ok, JSON.stringify(res));
    await waitFor(() => asks.length > asked, 'the customer to be asked');
    const seen = states.length;
    customer.emit('control:answer', { agentId, allow });
    await waitFor(
      () => states.slice(seen).some((s) => s.state === (allow ? 'granted' : 'none')),
      'the answer',
    );
  };
  await ask(false);
  await ask(true);
  agent.emit('control:action', { kind: 'click', target: 5 });
  await waitFor(() => errors.some((e) => e.code === 'read_only'), 'the read-only refusal');
  let seen = states.length;
  customer.emit('control:revoke');
  await waitFor(() => states.slice(seen).some((s) => s.state === 'none'), 'the revocation');
  await ask(true);
  seen = states.length;
  agent.emit('control:release');
  await waitFor(() => states.slice(seen).some((s) => s.state === 'none'), 'the release');
  const ended = record<unknown>(agent, 'session:ended');
  const customerReceipts = record<SessionReceipt>(customer, 'session:receipt');
  const agentReceipts = record<SessionReceipt>(agent, 'session:receipt');
  customer.emit('session:end');
  await waitFor(() => ended.length > 0, 'the end');
  return {
    sessionId: started.sessionId,
    agentSubject,
    sockets,
    customerReceipt: customerReceipts[0] ?? null,
    agentReceipt: agentReceipts[0] ?? null,
  };
}
