/**
 * The customer's tabs against a real node, with raw socket.io clients standing in for two tabs
 * of the shop: the tab that resumes takes the session over, the other hears `session:standby`
 * and nothing more of the session (no agent pointer, no control), its leaving does not mark the
 * customer away, and the shared tab's report reaches agents. With the tabs on two nodes the
 * standby goes through the adapter (`to(room)`, `socketsLeave`); that case is not tested here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type AgentPointer,
  type JoinResult,
  type SessionView,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const SHOP = 'https://shop.test';

describe('the customer’s tabs on the server', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];
  before(async () => {
    server = await startServer({ 'cross-origin': { allowedOrigins: [SHOP] } });
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
  });
  const open = (namespace: '/customer' | '/agent', token?: string): Socket => {
    // The console speaks from the server's own origin, the snippet from the shop's.
    const socket =
      namespace === '/agent'
        ? rawSocket(server.url, namespace, { token })
        : rawSocket(server.url, namespace, { headers: { origin: SHOP } });
    sockets.push(socket);
    return socket;
  };

  it('hands the session to the tab that resumes; the other stands by and its leaving changes nothing', async () => {
    const tabA = open('/customer');
    const started = (await tabA.timeout(5000).emitWithAck('session:start', {
      protocol: PROTOCOL_VERSION,
      url: `${SHOP}/`,
    })) as StartResult;
    assert.ok(started.ok);
    tabA.emit('page:snapshot', pageSnapshot(1, [], { url: `${SHOP}/`, title: 'Shop' }));
    const standby = record<unknown>(tabA, 'session:standby');
    const pointedAtA = record<AgentPointer>(tabA, 'agent:pointer');

    const agent = open('/agent', await mintTestToken({ name: 'Ann' }));
    const views = record<SessionView>(agent, 'session:state');
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code: started.code,
    })) as JoinResult;
    assert.ok(joined.ok);

    const tabB = open('/customer');
    const pointedAtB = record<AgentPointer>(tabB, 'agent:pointer');
    const resumed = (await tabB.timeout(5000).emitWithAck('session:resume', {
      protocol: PROTOCOL_VERSION,
      sessionId: started.sessionId,
      token: started.token,
    })) as StartResult;
    assert.ok(resumed.ok, JSON.stringify(resumed));
    await waitFor(() => standby.length === 1, 'tab A to stand by');
    tabB.emit('page:tab', { index: 2, count: 2 });
    await waitFor(() => views.at(-1)?.tab?.index === 2, 'the agent to hear which tab shares');
    assert.deepEqual(views.at(-1)?.tab, { index: 2, count: 2 });

    // Only the tab that shares hears the agent.
    agent.emit('agent:pointer', { x: 10, y: 20 });
    await waitFor(() => pointedAtB.length > 0, 'the pointer on tab B');
    assert.equal(pointedAtA.length, 0);

    // Tab A goes away: the customer is still here.
    const seen = views.length;
    tabA.disconnect();
    tabB.emit('page:tab', { index: 1, count: 1 });
    await waitFor(() => views.at(-1)?.tab?.count === 1, 'the count to drop');
    assert.ok(
      views.slice(seen).every((v) => v.customerConnected),
      'never away',
    );

    // Tab B, the shared one, goes away: now the customer is away.
    tabB.disconnect();
    await waitFor(() => views.at(-1)?.customerConnected === false, 'the customer away');
  });

  it('refuses a malformed tab report with invalid_message, and one out of a session', async () => {
    const stranger = open('/customer');
    const errors = record<{ code: string; event: string }>(stranger, 'protocol:error');
    stranger.emit('page:tab', { index: 1, count: 1 });
    stranger.emit('page:tab', { index: 3, count: 2 });
    await waitFor(() => errors.length === 2, 'both refused');
    assert.deepEqual(
      errors.map((e) => e.code),
      ['not_in_session', 'invalid_message'],
    );
  });
});
