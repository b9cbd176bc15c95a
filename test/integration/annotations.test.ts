/**
 * Annotations on a real node, with raw socket.io clients: a drawing of an agent with the monitor
 * privilege (no control) reaches the customer and every agent, named; the customer's dismissal
 * and an agent's clear reach everyone; a drawing that is malformed, too fast, out of a session
 * or on a paused page is refused with its code, counted, and disturbs no one else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../server/src/protocol/index.ts';
import type {
  Annotation,
  AnnotationsCleared,
  JoinResult,
  PageSnapshot,
  ProtocolError,
  SessionView,
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
const snapshot: PageSnapshot = pageSnapshot(
  1,
  [{ type: 'element', id: BUTTON, tag: 'button', attrs: {}, children: [] }],
  { url: 'https://shop.test/', title: 'Shop' },
);

interface Agent {
  socket: Socket;
  agentId: string;
  shown: Annotation[];
  cleared: AnnotationsCleared[];
  errors: ProtocolError[];
}

interface Session {
  customer: Socket;
  shown: Annotation[];
  cleared: AnnotationsCleared[];
  join(name: string): Promise<Agent>;
}

async function session(): Promise<Session & { sessionId: string }> {
  const customer = open('/customer');
  const started = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  assert.ok(started.ok);
  customer.emit('page:snapshot', snapshot);
  return {
    sessionId: started.sessionId,
    customer,
    shown: record<Annotation>(customer, 'annotation:show'),
    cleared: record<AnnotationsCleared>(customer, 'annotation:cleared'),
    async join(name) {
      // Monitor only: drawing needs no control.
      const socket = open('/agent', await mintTestToken({ name }));
      const shown = record<Annotation>(socket, 'annotation:show');
      const cleared = record<AnnotationsCleared>(socket, 'annotation:cleared');
      const errors = record<ProtocolError>(socket, 'protocol:error');
      const joined = (await socket.timeout(5000).emitWithAck('session:join', {
        protocol: PROTOCOL_VERSION,
        code: started.code,
      })) as JoinResult;
      assert.ok(joined.ok, JSON.stringify(joined));
      return { socket, agentId: joined.agentId, shown, cleared, errors };
    },
  };
}

async function dropped(reason: string): Promise<number> {
  const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^tandem_messages_dropped_total\{([^}]*)\} (\d+)/.exec(line);
    if (m && m[1]!.includes('event="annotation:draw"') && m[1]!.includes(`reason="${reason}"`))
      total += Number(m[2]);
  }
  return total;
}

before(async () => {
  server = await startServer({ limits: { messagesPerSecond: 2000 } });
});

after(async () => {
  for (const socket of sockets) socket.disconnect();
  await server.stop();
});

describe('annotations on the server', () => {
  it('relays a highlight and a stroke of a monitor-only agent to the customer and every agent, named', async () => {
    const s = await session();
    const ann = await s.join('Ann');
    const bob = await s.join('Bob');
    ann.socket.emit('annotation:draw', { id: 'h1', shape: { kind: 'highlight', target: BUTTON } });
    ann.socket.emit('annotation:draw', {
      id: 's1',
      shape: { kind: 'stroke', points: [10, 10, 40, 12, 80, 30] },
    });
    await waitFor(() => s.shown.length === 2, 'the customer to see both drawings');
    await waitFor(
      () => bob.shown.length === 2 && ann.shown.length === 2,
      'every agent to see them',
    );
    for (const seen of [s.shown, bob.shown, ann.shown]) {
      assert.deepEqual(
        seen.map((a) => [a.id, a.agentId, a.name, a.shape.kind]),
        [
          ['h1', ann.agentId, 'Ann', 'highlight'],
          ['s1', ann.agentId, 'Ann', 'stroke'],
        ],
      );
    }
    assert.deepEqual(s.shown[1]!.shape, { kind: 'stroke', points: [10, 10, 40, 12, 80, 30] });
    assert.deepEqual(ann.errors, []);
  });

  it("clears one agent's drawings on its request, and everyone's when the customer dismisses them", async () => {
    const s = await session();
    const ann = await s.join('Ann');
    const bob = await s.join('Bob');
    ann.socket.emit('annotation:clear');
    await waitFor(() => s.cleared.length === 1 && bob.cleared.length === 1, 'the clear');
    assert.deepEqual(s.cleared[0], { agentId: ann.agentId, by: 'agent' });
    s.customer.emit('annotation:dismiss');
    await waitFor(() => ann.cleared.length === 2 && bob.cleared.length === 2, 'the dismissal');
    assert.deepEqual(bob.cleared[1], { agentId: null, by: 'customer' });
  });

  it('refuses malformed drawings with invalid_message, counted, and relays nothing of them', async () => {
    const s = await session();
    const ann = await s.join('Ann');
    const bad = async (): Promise<number> =>
      (await dropped('invalid_message')) + (await dropped('payload_too_large'));
    const before = await bad();
    const hostile: unknown[] = [
      null,
      'draw',
      { id: 'x', shape: { kind: 'circle', target: BUTTON } },
      { id: 'bad id!', shape: { kind: 'highlight', target: BUTTON } },
      { id: 'x'.repeat(33), shape: { kind: 'highlight', target: BUTTON } },
      { id: 'x', shape: { kind: 'highlight', target: -1 } },
      { id: 'x', shape: { kind: 'highlight', target: '5' } },
      { id: 'x', shape: { kind: 'highlight', target: BUTTON, html: '<b>' } },
      { id: 'x', shape: { kind: 'stroke', points: [1, 2, 3] } },
      { id: 'x', shape: { kind: 'stroke', points: [] } },
      { id: 'x', shape: { kind: 'stroke', points: [1.5, 2] } },
      { id: 'x', shape: { kind: 'stroke', points: [1, 1e9] } },
      { id: 'x', shape: { kind: 'stroke', points: [1, 'a'] } },
      { id: 'x', shape: { kind: 'stroke', points: Array.from({ length: 514 }, () => 1) } },
      { id: 'x', shape: { kind: 'stroke', points: [1, 2] }, agentId: 'forged', name: 'Boss' },
    ];
    for (const draw of hostile) ann.socket.emit('annotation:draw', draw);
    // Every one is counted; the replies are sampled (a few per second), each with its code.
    await waitFor(async () => (await bad()) - before === hostile.length, 'every one counted');
    assert.ok(ann.errors.length > 0);
    for (const error of ann.errors) {
      assert.equal(error.event, 'annotation:draw');
      assert.match(error.code, /^(invalid_message|payload_too_large)$/);
    }
    assert.equal(s.shown.length, 0);
    // The session is unharmed: the next good drawing goes through.
    ann.socket.emit('annotation:draw', { id: 'ok', shape: { kind: 'highlight', target: BUTTON } });
    await waitFor(() => s.shown.length === 1, 'the good drawing');
    assert.equal(s.shown[0]!.id, 'ok');
  });

  it('refuses drawings faster than the budget with rate_limited, and no one else is slowed', async () => {
    const s = await session();
    const ann = await s.join('Ann');
    const bob = await s.join('Bob');
    const limited = await dropped('rate_limited');
    for (let i = 0; i < 60; i++)
      ann.socket.emit('annotation:draw', {
        id: `a${i}`,
        shape: { kind: 'stroke', points: [i, i] },
      });
    await waitFor(
      async () => s.shown.length + (await dropped('rate_limited')) - limited === 60,
      'all sixty relayed or refused',
    );
    assert.ok(ann.errors.length > 0 && ann.errors.every((e) => e.code === 'rate_limited'));
    // A burst of twice the rate goes through, and a little more as the bucket refills.
    assert.ok(s.shown.length >= 16 && s.shown.length < 30, String(s.shown.length));
    bob.socket.emit('annotation:draw', { id: 'b', shape: { kind: 'highlight', target: BUTTON } });
    await waitFor(() => s.shown.some((a) => a.id === 'b'), "Bob's drawing, on his own budget");
  });

  it('refuses drawings on a paused page and out of a session', async () => {
    const s = await session();
    const ann = await s.join('Ann');
    const views = record<SessionView>(ann.socket, 'session:state');
    s.customer.emit('page:paused', { reason: 'site' });
    await waitFor(() => views.some((v) => v.page?.state === 'paused'), 'the pause');
    ann.socket.emit('annotation:draw', { id: 'p', shape: { kind: 'highlight', target: BUTTON } });
    await waitFor(() => ann.errors.length === 1, 'the refusal');
    assert.equal(ann.errors[0]!.code, 'paused');
    assert.equal(s.shown.length, 0);

    const stranger = open('/agent', await mintTestToken({ name: 'Eve' }));
    const errors = record<ProtocolError>(stranger, 'protocol:error');
    stranger.emit('annotation:draw', { id: 'e', shape: { kind: 'highlight', target: BUTTON } });
    await waitFor(() => errors.length === 1, 'the refusal');
    assert.equal(errors[0]!.code, 'not_in_session');
  });

  it('refuses a drawing of a supervisor whose token lacks the monitor privilege', async () => {
    const s = await session();
    const watcher = open(
      '/agent',
      await mintTestToken({ name: 'Sue', privileges: ['cobrowse:supervise'] }),
    );
    const errors = record<ProtocolError>(watcher, 'protocol:error');
    const sessionId = s.sessionId;
    const watched = (await watcher
      .timeout(5000)
      .emitWithAck('session:watch', { protocol: PROTOCOL_VERSION, sessionId })) as JoinResult;
    assert.ok(watched.ok, JSON.stringify(watched));
    watcher.emit('annotation:draw', { id: 'w', shape: { kind: 'highlight', target: BUTTON } });
    await waitFor(() => errors.length === 1, 'the refusal');
    assert.equal(errors[0]!.code, 'forbidden');
    assert.equal(s.shown.length, 0);
  });
});
