/**
 * Three real node processes, one real Redis and a real load balancer: sessions span nodes, a
 * Redis restart is ridden out, and every node's metrics move with the traffic.
 */
import { SequenceTracker } from '../../server/web/agent/sequence.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type PageBatch,
  type PageSnapshot,
  type StartResult,
  type JoinResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { clientVia, startCluster, type RunningCluster } from '../support/cluster.ts';
import { waitFor } from '../support/wait.ts';

// The balancer's certificate is self-signed for the test.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let cluster: RunningCluster;
const sockets: Socket[] = [];

before(async () => {
  cluster = await startCluster(3);
});
after(async () => {
  for (const socket of sockets) socket.disconnect();
  await cluster.stop();
});

/** A client pinned to one node through the balancer's affinity cookie. */
function connectVia(node: string, namespace: '/customer' | '/agent', token?: string): Socket {
  const socket = clientVia(cluster, node, namespace, { token, quickReconnect: true });
  sockets.push(socket);
  return socket;
}

/** Starts a session on `customer` and sends its first page (one text node); its code. */
async function customerWithPage(
  customer: Socket,
  text: string,
): Promise<{ customer: Socket; code: string }> {
  const started = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  assert.ok(started.ok, JSON.stringify(started));
  customer.emit('page:snapshot', snapshot(1, text));
  return { customer, code: started.code };
}

const snapshot = (seq: number, text: string): PageSnapshot => ({
  seq,
  url: 'https://shop.test/',
  title: 'Shop',
  viewport: { width: 800, height: 600 },
  doc: {
    type: 'document',
    id: 1,
    children: [
      { type: 'element', id: 2, tag: 'html', attrs: {}, children: [{ type: 'text', id: 3, text }] },
    ],
  },
});

/** A customer that behaves as the snippet does: answers resync requests with a fresh snapshot. */
function customerOn(node: string) {
  const socket = connectVia(node, '/customer');
  let seq = 0;
  let text = 'start';
  const resyncs: string[] = [];
  socket.on('page:resync', ({ reason }: { reason: string }) => {
    resyncs.push(reason);
    socket.emit('page:snapshot', snapshot(++seq, text));
  });
  return {
    socket,
    resyncs,
    async start(): Promise<string> {
      const res = (await socket.timeout(5000).emitWithAck('session:start', {
        protocol: PROTOCOL_VERSION,
        url: 'https://shop.test/',
      })) as StartResult;
      assert.ok(res.ok, JSON.stringify(res));
      socket.emit('page:snapshot', snapshot(++seq, text));
      return res.code;
    },
    type(next: string): void {
      text = next;
      const batch: PageBatch = {
        seq: ++seq,
        sentAt: Date.now(),
        ops: [{ op: 'text', id: 3, text }],
      };
      socket.emit('page:batch', batch);
    },
  };
}

/**
 * An agent that keeps the latest text it was shown. It orders what comes by the console's own
 * sequence rules: the page reaches it by the relay and by the stored page its node sends, and
 * a live batch may come before the stored page it follows.
 */
async function agentOn(node: string) {
  const socket = connectVia(node, '/agent', await mintTestToken({ name: `agent-${node}` }));
  const view = { text: '', snapshots: 0 };
  const sequence = new SequenceTracker(Date.now, 200);
  socket.on('page:snapshot', (s: PageSnapshot) => {
    if (!sequence.snapshot(s.seq)) return;
    view.snapshots += 1;
    const html = s.doc.children[0];
    const first = html?.type === 'element' ? html.children[0] : undefined;
    view.text = first?.type === 'text' ? first.text : '';
  });
  socket.on('page:batch', (b: PageBatch) => {
    const verdict = sequence.batch(b.seq);
    if (verdict === 'resync') socket.emit('page:resync');
    if (verdict !== 'apply') return;
    for (const op of b.ops) if (op.op === 'text') view.text = op.text;
  });
  return {
    socket,
    view,
    async join(code: string): Promise<void> {
      const res = (await socket
        .timeout(5000)
        .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code })) as JoinResult;
      assert.ok(res.ok, JSON.stringify(res));
    },
  };
}

async function metricsOf(url: string | null): Promise<Map<string, number>> {
  assert.ok(url);
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // Prometheus text format: name{labels} value (prom-client writes NaN as `Nan`, e.g. the
    // event-loop lag before its first sample; Prometheus parses floats case-insensitively)
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|Nan|[+-]Inf)$/.exec(
      line,
    );
    assert.ok(match, `not Prometheus text: ${line}`);
    const key = `${match[1]}${match[2] ?? ''}`;
    values.set(key, Number(match[3]));
  }
  return values;
}

const sum = (values: Map<string, number>, prefix: string): number =>
  [...values].filter(([key]) => key.startsWith(prefix)).reduce((total, [, v]) => total + v, 0);

describe('a cluster of three nodes', () => {
  it('relays a session whose customer and two agents sit on three different nodes', async () => {
    const customer = customerOn('n1');
    const code = await customer.start();
    const bob = await agentOn('n2');
    const carol = await agentOn('n3');
    await bob.join(code);
    await carol.join(code);
    await waitFor(
      () => bob.view.text === 'start' && carol.view.text === 'start',
      'both agents caught up',
    );
    customer.type('typed on n1');
    await waitFor(
      () => bob.view.text === 'typed on n1' && carol.view.text === 'typed on n1',
      'live relay across nodes',
    );
  });

  it('exposes Prometheus metrics on each node that move with the traffic', async () => {
    const before = await metricsOf(cluster.nodes[0]!.server.metricsUrl);
    const customer = customerOn('n1');
    const code = await customer.start();
    const agent = await agentOn('n2');
    await agent.join(code);
    for (let i = 0; i < 5; i++) customer.type(`m${i}`);
    await waitFor(() => agent.view.text === 'm4', 'relayed');
    const n1 = await metricsOf(cluster.nodes[0]!.server.metricsUrl);
    assert.ok(
      sum(n1, 'tandem_messages_received_total{namespace="customer",event="page:batch"') -
        sum(before, 'tandem_messages_received_total{namespace="customer",event="page:batch"') >=
        5,
    );
    assert.ok(sum(n1, 'tandem_bytes_received_total') > sum(before, 'tandem_bytes_received_total'));
    assert.ok(
      sum(n1, 'tandem_sessions_started_total') > sum(before, 'tandem_sessions_started_total'),
    );
    assert.equal(sum(n1, 'tandem_store_ready'), 1);
    const n2 = await metricsOf(cluster.nodes[1]!.server.metricsUrl);
    // The agent's node saw live batches relayed from n1: the cross-node latency histogram moved.
    assert.ok(
      sum(n2, 'tandem_relay_latency_seconds_count') >= 5,
      'relay latency observed on the agent node',
    );
    assert.ok(n2.has('tandem_nodejs_eventloop_lag_seconds'));
  });

  it('rides out a Redis restart: not ready while it is gone, sessions continue after it returns', async () => {
    const customer = customerOn('n1');
    const code = await customer.start();
    const agent = await agentOn('n2');
    await agent.join(code);
    // A second agent on the customer's own node keeps watching while Redis is away.
    const local = await agentOn('n1');
    await local.join(code);
    customer.type('before');
    await waitFor(
      () => agent.view.text === 'before' && local.view.text === 'before',
      'relay before the restart',
    );

    await cluster.redis.stop();
    const node1 = cluster.nodes[0]!.server.url;
    await waitFor(
      async () => (await fetch(`${node1}/readyz`)).status === 503,
      'n1 reports not ready',
    );
    assert.equal((await fetch(`${node1}/healthz`)).status, 200, 'but stays alive');
    customer.type('during the outage');
    await waitFor(
      () => local.view.text === 'during the outage',
      'same-node relay during the outage',
    );

    await cluster.redis.start();
    await waitFor(
      async () => (await fetch(`${node1}/readyz`)).status === 200,
      'n1 ready again',
      20_000,
    );
    await waitFor(
      () => customer.resyncs.length > 0,
      'the customer was asked for a fresh snapshot',
      20_000,
    );
    await waitFor(() => agent.view.text === 'during the outage', 'the agent catches up', 20_000);
    customer.type('after');
    await waitFor(() => agent.view.text === 'after', 'the session continues', 20_000);
    assert.equal(customer.socket.connected && agent.socket.connected, true);
  });

  it('sends the stored page to the agents of a node whose subscription was lost and came back', async () => {
    const customer = customerOn('n1');
    const code = await customer.start();
    const agent = await agentOn('n2');
    await agent.join(code);
    customer.type('before');
    await waitFor(() => agent.view.text === 'before', 'relay before the subscription is cut');
    // Every node's subscriber goes; the store stays. They reconnect after 100 ms (the retry
    // strategy), so what n1 relays now reaches no other node: as in a Redis restart whose
    // subscribers come back after the customer's node already asked for a fresh snapshot.
    const admin = new Redis(cluster.redis.url);
    try {
      assert.ok(Number(await admin.client('KILL', 'TYPE', 'pubsub')) >= 3);
    } finally {
      admin.disconnect();
    }
    customer.type('while nobody listens');
    await waitFor(
      () => agent.view.text === 'while nobody listens',
      'the agent shown the stored page',
      10_000,
    );
    // Whether the relay was lost (most runs) or its subscriber was back in time, n2 resends.
    const n2Logs = cluster.nodes[1]!.server.logs;
    await waitFor(
      () => n2Logs.some((l) => String(l.msg).startsWith('relays were missed')),
      'n2 sends its agents the stored pages',
    );
    assert.ok(n2Logs.some((l) => l.msg === 'redis adapter subscription restored'));
  });
});

describe('the sharded adapter (Redis 7 sharded pub/sub)', () => {
  let sharded: RunningCluster;
  before(async () => {
    sharded = await startCluster(2, { adapter: 'sharded' });
  });
  after(async () => {
    await sharded.stop();
  });

  it('relays across two nodes as the classic one does', async () => {
    const viaSharded = (
      node: string,
      namespace: '/customer' | '/agent',
      token?: string,
    ): Socket => {
      const socket = clientVia(sharded, node, namespace, { token });
      sockets.push(socket);
      return socket;
    };
    const { customer, code } = await customerWithPage(viaSharded('n1', '/customer'), 'sharded');
    const agent = viaSharded('n2', '/agent', await mintTestToken());
    const texts: string[] = [];
    agent.on('page:batch', (b: PageBatch) => {
      for (const op of b.ops) if (op.op === 'text') texts.push(op.text);
    });
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code,
    })) as JoinResult;
    assert.ok(joined.ok, JSON.stringify(joined));
    customer.emit('page:batch', {
      seq: 2,
      sentAt: Date.now(),
      ops: [{ op: 'text', id: 3, text: 'across' }],
    });
    await waitFor(() => texts.includes('across'), 'relay through sharded pub/sub');
    assert.ok(
      sharded.nodes[0]!.server.logs.some(
        (l) => l.msg === 'redis adapter attached' && l.mode === 'sharded',
      ),
    );
  });
});

for (const adapter of ['classic', 'sharded'] as const) {
  describe(`page copies across two nodes (${adapter} adapter)`, () => {
    // A cluster of its own: the gauges count only this test's session.
    let pair: RunningCluster;
    before(async () => {
      pair = await startCluster(2, { adapter });
    });
    after(async () => {
      await pair.stop();
    });

    it('frees the page copies on the customer’s node when the agent ends the session on another', async () => {
      const copies = async (step: string): Promise<number> =>
        (await metricsOf(pair.nodes[0]!.server.metricsUrl)).get(
          `tandem_page_copies{step="${step}"}`,
        ) ?? -1;
      const steps = ['sanitize', 'restrictions', 'rewriteUrls'];
      const via = (node: string, namespace: '/customer' | '/agent', token?: string): Socket => {
        const socket = clientVia(pair, node, namespace, { token });
        sockets.push(socket);
        return socket;
      };
      for (const step of steps) assert.equal(await copies(step), 0, step);
      const { code } = await customerWithPage(via('n1', '/customer'), 'kept');
      const agent = via('n2', '/agent', await mintTestToken({ name: 'Ann' }));
      const shown: PageSnapshot[] = [];
      agent.on('page:snapshot', (s: PageSnapshot) => shown.push(s));
      const joined = (await agent.timeout(5000).emitWithAck('session:join', {
        protocol: PROTOCOL_VERSION,
        code,
      })) as JoinResult;
      assert.ok(joined.ok);
      await waitFor(() => shown.length > 0, 'the agent on n2 shown the page');
      for (const step of steps) assert.equal(await copies(step), 1, `n1 keeps the ${step} state`);
      agent.emit('session:end');
      await waitFor(async () => {
        for (const step of steps) if ((await copies(step)) !== 0) return false;
        return true;
      }, 'n1 forgets the session ended on n2');
    });
  });
}
