/**
 * The wire protocol against a real node process, with raw socket.io clients standing in for the
 * snippet, the agent console and a hostile peer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import type { Socket } from 'socket.io-client';
import { packTree } from '../../server/src/protocol/packed-tree.ts';
import { PROTOCOL_VERSION } from '../../server/src/protocol/index.ts';
import type {
  PageBatch,
  PageSnapshot,
  StartResult,
  JoinResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';
import { scrape, sumSamples } from '../support/metrics.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server: RunningServer;
const sockets: Socket[] = [];
/** Agent tokens by name (monitor privilege), minted before the tests. */
const tokens: Record<string, string> = {};

function connect(
  namespace: '/customer' | '/agent',
  headers: Record<string, string> = {},
  agentName = 'Alice',
): Socket {
  const token = namespace === '/agent' ? tokens[agentName] : undefined;
  const socket = rawSocket(server.url, namespace, { headers, token });
  sockets.push(socket);
  return socket;
}

const snapshot = (seq: number, text = 'hello'): PageSnapshot =>
  pageSnapshot(seq, [{ type: 'text', id: 4, text }], {
    url: 'https://shop.test/checkout',
    title: 'Checkout',
    bodyAttrs: { class: 'shop' },
  });

/** The snapshot as the snippet sends it: the packed tree, deflated. */
const packedSnapshot = (seq: number, text = 'hello'): Record<string, unknown> => {
  const { doc, ...page } = snapshot(seq, text);
  return { ...page, tree: deflateRawSync(packTree(doc)), compression: 'deflate-raw' };
};

const batch = (seq: number, text: string): PageBatch => ({
  seq,
  sentAt: Date.now(),
  ops: [{ op: 'text', id: 4, text }],
});

async function startSession(customer: Socket): Promise<Extract<StartResult, { ok: true }>> {
  const result = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/checkout',
  })) as StartResult;
  assert.ok(result.ok, JSON.stringify(result));
  return result;
}

async function join(agent: Socket, code: string, name = 'Alice'): Promise<JoinResult> {
  return (await agent
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code, name })) as JoinResult;
}

/**
 * A customer in a session of its own with its first snapshot sent, and an agent joined to it
 * whose live batches are recorded from before the join.
 */
async function watchedSession(): Promise<{
  customer: Socket;
  agent: Socket;
  code: string;
  batches: PageBatch[];
}> {
  const customer = connect('/customer');
  const { code } = await startSession(customer);
  customer.emit('page:snapshot', snapshot(1));
  const agent = connect('/agent');
  const batches = record<PageBatch>(agent, 'page:batch');
  assert.ok((await join(agent, code)).ok);
  return { customer, agent, code, batches };
}

async function metric(name: string): Promise<number> {
  return sumSamples(await scrape(server.metricsUrl), name);
}

before(async () => {
  for (const name of ['Alice', 'Bob']) tokens[name] = await mintTestToken({ name });
  server = await startServer({
    limits: { joinAttemptsPerMinute: 1000, maxMessageBytes: 256 * 1024, messagesPerSecond: 2000 },
  });
});

after(async () => {
  for (const socket of sockets) socket.disconnect();
  await server.stop();
});

describe('session over the wire', () => {
  it('relays a snapshot and the batches after it, in order, to a joined agent', async () => {
    const customer = connect('/customer');
    const { code, sessionId } = await startSession(customer);
    assert.match(code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    customer.emit('page:snapshot', snapshot(1));
    customer.emit('page:batch', batch(2, 'typed'));

    const agent = connect('/agent');
    const snapshots = record<PageSnapshot>(agent, 'page:snapshot');
    const batches = record<PageBatch>(agent, 'page:batch');
    const joined = await join(agent, code.toLowerCase());
    assert.deepEqual(joined.ok && joined.sessionId, sessionId);
    // A late joiner catches up from the store: the snapshot, then what followed it.
    await waitFor(() => snapshots.length === 1 && batches.length === 1, 'catch-up');
    assert.equal(batches[0]?.seq, 2);

    customer.emit('page:batch', batch(3, 'more'));
    await waitFor(() => batches.length === 2, 'live batch');
    assert.deepEqual(batches[1]?.ops, [{ op: 'text', id: 4, text: 'more' }]);
  });

  it('observes the relay latency of a live batch of any size', async () => {
    const { customer, batches } = await watchedSession();
    const before = await metric('tandem_relay_latency_seconds_count');
    // A batch of a real page's size: its ops run far past the head of the frame.
    customer.emit('page:batch', batch(2, 'long '.repeat(600)));
    await waitFor(() => batches.length === 1, 'live batch');
    assert.ok(typeof batches[0]?.relayedAt === 'number');
    await waitFor(
      async () => (await metric('tandem_relay_latency_seconds_count')) === before + 1,
      'the agent node observed it',
    );
  });

  it('relays the pointer a batch carries to the agents, and keeps it out of the store', async () => {
    const { customer, agent, code, batches } = await watchedSession();
    const pointers = record<{ x: number; y: number }>(agent, 'page:pointer');
    customer.emit('page:batch', { ...batch(2, 'moved'), pointer: { x: 120, y: 48 } });
    await waitFor(() => batches.length === 1, 'live batch');
    assert.deepEqual(batches[0]?.pointer, { x: 120, y: 48 });
    assert.deepEqual(batches[0]?.ops, [{ op: 'text', id: 4, text: 'moved' }]);
    assert.equal(pointers.length, 0, 'one frame, not a pointer message beside it');

    // A second agent catches up from the store: the batch comes without the pointer.
    const late = connect('/agent', {}, 'Bob');
    const caughtUp = record<PageBatch>(late, 'page:batch');
    assert.ok((await join(late, code, 'Bob')).ok);
    await waitFor(() => caughtUp.length === 1, 'catch-up');
    assert.equal(caughtUp[0]?.seq, 2);
    assert.equal('pointer' in caughtUp[0]!, false, 'a stored batch has no pointer');
  });

  it('refuses a batch whose pointer is anything but two finite coordinates', async () => {
    const { customer, batches } = await watchedSession();
    const errors = record<{ code: string; event: string }>(customer, 'protocol:error');
    const before = await metric(
      'tandem_messages_dropped_total{namespace="customer",event="page:batch",reason="invalid_message"}',
    );
    const hostile: unknown[] = [
      { x: 1 },
      { x: 1, y: '2' },
      { x: 1, y: 2, target: 4 },
      { x: Number.MAX_VALUE, y: 0 },
      [1, 2],
      'x,y',
      null,
    ];
    for (const pointer of hostile) customer.emit('page:batch', { ...batch(2, 'no'), pointer });
    customer.emit('page:batch', batch(2, 'yes'));
    await waitFor(() => batches.length === 1, 'the valid batch after them');
    assert.deepEqual(batches[0]?.ops, [{ op: 'text', id: 4, text: 'yes' }]);
    await waitFor(() => errors.length >= 5, 'errors told');
    assert.ok(errors.every((e) => e.code === 'invalid_message' && e.event === 'page:batch'));
    const after = await metric(
      'tandem_messages_dropped_total{namespace="customer",event="page:batch",reason="invalid_message"}',
    );
    assert.equal(after - before, hostile.length, 'each refusal counted');
  });

  it('unpacks a packed, deflated snapshot and relays the plain tree', async () => {
    const customer = connect('/customer');
    const { code } = await startSession(customer);
    const agent = connect('/agent');
    const snapshots = record<PageSnapshot>(agent, 'page:snapshot');
    assert.ok((await join(agent, code)).ok);
    customer.emit('page:snapshot', packedSnapshot(1, 'packed ☃'));
    await waitFor(() => snapshots.length === 1, 'snapshot relayed');
    assert.deepEqual(snapshots[0], snapshot(1, 'packed ☃'));
  });

  it('answers a gap in the sequence with a request for a fresh snapshot', async () => {
    const customer = connect('/customer');
    const resyncs = record<{ reason: string }>(customer, 'page:resync');
    await startSession(customer);
    customer.emit('page:snapshot', snapshot(1));
    customer.emit('page:batch', batch(3, 'skipped two'));
    await waitFor(() => resyncs.length === 1, 'resync');
    assert.equal(resyncs[0]?.reason, 'sequence_gap');
  });

  it('answers a batch the node has no page copy for with one request for a snapshot', async () => {
    const customer = connect('/customer');
    const resyncs = record<{ reason: string }>(customer, 'page:resync');
    const { code } = await startSession(customer);
    const agent = connect('/agent');
    const batches = record<PageBatch>(agent, 'page:batch');
    assert.ok((await join(agent, code)).ok);
    customer.emit('page:batch', batch(1, 'no page yet'));
    customer.emit('page:batch', batch(2, 'still none'));
    customer.emit('page:snapshot', snapshot(3));
    customer.emit('page:batch', batch(4, 'after it'));
    await waitFor(() => batches.length === 1, 'the batch after the snapshot relayed');
    const missing = resyncs.filter((r) => r.reason !== 'agent_joined');
    assert.deepEqual(missing, [{ reason: 'page_state_missing' }], 'asked once for both batches');
    assert.equal(batches[0]?.seq, 4, 'no emptied batch went on');
  });

  it('tells both sides when either ends the session', async () => {
    for (const ender of ['customer', 'agent'] as const) {
      const customer = connect('/customer');
      const { code } = await startSession(customer);
      const agent = connect('/agent');
      assert.ok((await join(agent, code)).ok);
      const endedCustomer = record<{ reason: string }>(customer, 'session:ended');
      const endedAgent = record<{ reason: string }>(agent, 'session:ended');
      (ender === 'customer' ? customer : agent).emit('session:end');
      await waitFor(
        () => endedCustomer.length === 1 && endedAgent.length === 1,
        `both told (${ender})`,
      );
      assert.equal(endedAgent[0]?.reason, ender);
      const again = await join(connect('/agent'), code);
      assert.equal(!again.ok && again.code, 'invalid_code');
    }
  });

  it('shows the agents present to the customer', async () => {
    const customer = connect('/customer');
    const states = record<{ agents: Array<{ name: string }> }>(customer, 'session:state');
    const { code } = await startSession(customer);
    const agent = connect('/agent', {}, 'Bob');
    const bob = await join(agent, code, 'Bob');
    assert.ok(bob.ok, JSON.stringify(bob));
    await waitFor(() => states.some((s) => s.agents.some((a) => a.name === 'Bob')), 'agent listed');
    agent.emit('session:leave');
    await waitFor(() => states.at(-1)?.agents.length === 0, 'agent gone');
  });

  it('refuses wrong codes and then rate-limits the address', async () => {
    const strict = await startServer({ limits: { joinAttemptsPerMinute: 5 } });
    const agent = rawSocket(strict.url, '/agent', { token: tokens.Alice });
    after(async () => {
      agent.disconnect();
      await strict.stop();
    });
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const result = await join(agent, 'ZZZZ-ZZZZ');
      codes.push(result.ok ? 'ok' : result.code);
    }
    assert.deepEqual(codes.slice(0, 2), ['invalid_code', 'invalid_code']);
    assert.equal(codes.at(-1), 'rate_limited');
  });

  it('refuses a page from an origin that is not allowed', async () => {
    const socket = connect('/customer', { origin: 'https://evil.test' });
    const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    assert.match(
      error.message,
      /forbidden_origin|xhr poll error|websocket error|Unexpected server response/,
    );
    assert.ok((await metric('tandem_messages_dropped_total{namespace="handshake"')) >= 1);
  });
});

describe('bad input', () => {
  it('leaves an ongoing session untouched after 1,000 malformed or oversized messages', async () => {
    const { customer, agent, batches } = await watchedSession();

    const droppedBefore = await metric('tandem_messages_dropped_total');
    const hostile = connect('/customer');
    const hostileAgent = connect('/agent');
    await waitFor(() => hostile.connected && hostileAgent.connected, 'hostile connected');
    const deep = (depth: number): unknown =>
      depth === 0
        ? { type: 'text', id: 9, text: 'x' }
        : { type: 'element', id: depth + 10, tag: 'div', attrs: {}, children: [deep(depth - 1)] };
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    const malformed: Array<[Socket, string, unknown[]]> = [
      [hostile, 'page:batch', [batch(2, 'not in a session')]],
      [hostile, 'page:snapshot', [{ seq: 'one' }]],
      [hostile, 'page:snapshot', [null]],
      [hostile, 'page:batch', [{ seq: 1, sentAt: 1, ops: [{ op: 'explode' }] }]],
      [hostile, 'page:batch', [{ seq: 1, sentAt: 1, ops: 'x'.repeat(1000) }]],
      [hostile, 'page:pointer', [{ x: Number.NaN, y: 1 }]],
      [hostile, 'page:pointer', [{ x: 1, y: 1, extra: true }]],
      [
        hostile,
        'session:start',
        [{ protocol: PROTOCOL_VERSION, url: 'x'.repeat(10_000) }, () => undefined],
      ],
      [hostile, 'session:start', [{ protocol: 99, url: 'https://x.test' }, () => undefined]],
      [
        hostile,
        'session:resume',
        [{ protocol: PROTOCOL_VERSION, sessionId: 'nope', token: 'nope' }, () => undefined],
      ],
      [hostile, 'no-such-event', [1, 2, 3]],
      [
        hostile,
        'page:snapshot',
        [{ ...snapshot(1), doc: { ...snapshot(1).doc, children: [deep(700)] } }],
      ],
      [
        hostile,
        'page:snapshot',
        [
          {
            ...snapshot(1),
            doc: {
              ...snapshot(1).doc,
              children: [{ type: 'element', id: 5, tag: '<script>', attrs: {}, children: [] }],
            },
          },
        ],
      ],
      [hostile, 'page:snapshot', [{ ...snapshot(1), extra: { __proto__: { polluted: true } } }]],
      // 64 MB of spaces in 64 KB of deflate: refused once 8 MB are out.
      [hostile, 'page:snapshot', [{ ...packedSnapshot(1), tree: bomb }]],
      [hostile, 'page:snapshot', [{ ...packedSnapshot(1), tree: Buffer.from('no deflate') }]],
      [hostileAgent, 'agent:pointer', [{ x: 1, y: 2 }]],
      [hostileAgent, 'session:join', [{ protocol: PROTOCOL_VERSION, code: 42 }, () => undefined]],
      [hostileAgent, 'session:end', ['payload']],
      [hostileAgent, 'page:batch', [batch(2, 'agents cannot write')]],
      // Not in the agent's event map: the parser drops them (the privilege table would too).
      [hostileAgent, 'toString', []],
      [hostileAgent, '__proto__', [{}]],
    ];
    for (let i = 0; i < 1000; i++) {
      const [socket, event, args] = malformed[i % malformed.length]!;
      socket.emit(event, ...args);
    }
    // Oversized: larger than maxMessageBytes. The transport closes that connection, and only it.
    const oversized = connect('/customer');
    await waitFor(() => oversized.connected, 'oversized client connected');
    const closed = new Promise<string>((resolve) => oversized.on('disconnect', resolve));
    oversized.emit('page:snapshot', { ...snapshot(1, 'x'.repeat(400 * 1024)) });
    assert.match(await closed, /transport/);

    await waitFor(
      async () => (await metric('tandem_messages_dropped_total')) - droppedBefore >= 900,
      'drops counted',
    );
    customer.emit('page:batch', batch(2, 'still here'));
    await waitFor(() => batches.some((b) => b.seq === 2), 'the session goes on');
    assert.equal(customer.connected && agent.connected, true);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
