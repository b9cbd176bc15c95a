/**
 * The session record's atomic updates across two real node processes, as a busy cluster races
 * them: every update waits 1–3 ms between its read and its write (`TANDEM_TEST_STORE_LATENCY_MS`),
 * and the racing messages arrive on different nodes. The store contract test runs the same cases
 * in one process; here they cross the wire, the balancer and two nodes' update loops.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type ControlStatus,
  type JoinResult,
  type ProtocolError,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { RedisStore } from '../../server/src/store/redis-store.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { clientVia, startCluster, type RunningCluster } from '../support/cluster.ts';
import { pageSnapshot } from '../support/pages.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

/** Runs per case: enough for a lost write to show (the issue saw 27 in 50 without the CAS). */
const RUNS = 8;

let cluster: RunningCluster;
let store: RedisStore;
let redis: Redis;
let controlToken = '';
const sockets: Socket[] = [];

before(async () => {
  cluster = await startCluster(2, {
    env: { TANDEM_TEST_STORE_LATENCY_MS: '1-3' },
    // Many sessions and joins from one test address within a minute.
    overrides: {
      session: { maxAgents: 8 },
      limits: { joinAttemptsPerMinute: 1000, startsPerMinute: 1000 },
    },
  });
  for (const node of cluster.nodes)
    assert.ok(node.server.logs.some((l) => String(l.msg).startsWith('store: test latency')));
  redis = new Redis(cluster.redis.url);
  // Read straight from the store: what the nodes wrote, not what they announced.
  store = new RedisStore(redis, { pageTtlMs: 60_000, prefix: 'tandem:' });
  controlToken = await mintTestToken({
    name: 'Cleo',
    privileges: ['cobrowse:monitor', 'cobrowse:control'],
  });
});
after(async () => {
  for (const socket of sockets) socket.disconnect();
  redis?.disconnect();
  await cluster?.stop();
});

function via(node: 'n1' | 'n2', namespace: '/customer' | '/agent', token?: string): Socket {
  const socket = clientVia(cluster, node, namespace, { token });
  sockets.push(socket);
  return socket;
}

async function startOn(node: 'n1' | 'n2') {
  const customer = via(node, '/customer');
  const start = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  assert.ok(start.ok, JSON.stringify(start));
  customer.emit('page:snapshot', pageSnapshot(1, [{ type: 'text', id: 4, text: 'hi' }]));
  return { customer, ...start };
}

async function joinOn(node: 'n1' | 'n2', code: string, token = controlToken) {
  const agent = via(node, '/agent', token);
  const joined = (await agent
    .timeout(5000)
    .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code })) as JoinResult;
  assert.ok(joined.ok, JSON.stringify(joined));
  return agent;
}

const nextControl = (socket: Socket, state: ControlStatus['state']): Promise<ControlStatus> =>
  new Promise((resolve) => {
    const on = (status: ControlStatus): void => {
      if (status.state !== state) return;
      socket.off('control:state', on);
      resolve(status);
    };
    socket.on('control:state', on);
  });

/** Agent on n2 asks, the customer on n1 allows: control is granted when this resolves. */
async function grantedSession() {
  const session = await startOn('n1');
  const agent = await joinOn('n2', session.code);
  const asked = new Promise<void>((resolve) => session.customer.once('control:request', resolve));
  assert.deepEqual(await agent.timeout(5000).emitWithAck('control:request', {}), { ok: true });
  await asked;
  return { ...session, agent };
}

describe('session updates racing across two nodes (1–3 ms store latency)', () => {
  it('join × join: agents joining at once on both nodes are all kept', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { sessionId, code } = await startOn('n1');
      const monitor = await mintTestToken({ name: `m${run}` });
      const nodes = ['n1', 'n2', 'n1', 'n2', 'n1', 'n2'] as const;
      await Promise.all(nodes.map((node) => joinOn(node, code, monitor)));
      const record = await store.getSession(sessionId);
      assert.equal(record?.agents.length, nodes.length, `run ${run}: no agent lost`);
    }
  });

  it('touch × revoke: a revoked grant never comes back', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { customer, agent, sessionId, token } = await grantedSession();
      const granted = nextControl(agent, 'granted');
      customer.emit('control:answer', { agentId: await agentIdOf(sessionId), allow: true });
      await granted;
      // The same customer's next page resumes on n2: its snapshot is that node's first activity
      // (a touch) and marks the page live, while the customer revokes through n1.
      const next = via('n2', '/customer');
      const resumed = (await next.timeout(5000).emitWithAck('session:resume', {
        protocol: PROTOCOL_VERSION,
        sessionId,
        token,
      })) as StartResult;
      assert.ok(resumed.ok, JSON.stringify(resumed));
      const revoked = nextControl(agent, 'none');
      const seq = (resumed.lastSeq ?? 0) + 1;
      // The snapshot is relayed once its writes (the touch, the page live again) are done.
      const relayed = new Promise<void>((resolve) =>
        agent.on('page:snapshot', (s: { seq: number }) => s.seq === seq && resolve()),
      );
      next.emit('page:snapshot', pageSnapshot(seq, []));
      customer.emit('control:revoke');
      await Promise.all([revoked, relayed]);
      assert.equal((await store.getSession(sessionId))?.control, null, `run ${run}`);
      const refused = new Promise<ProtocolError>((resolve) =>
        agent.once('protocol:error', resolve),
      );
      agent.emit('control:action', { kind: 'click', target: 4 });
      assert.equal((await refused).code, 'control_not_granted', `run ${run}`);
    }
  });

  it('grant × end: an ended session stays ended, with nothing granted', async () => {
    for (let run = 0; run < RUNS; run++) {
      const { customer, agent, sessionId, code } = await grantedSession();
      const agentId = await agentIdOf(sessionId);
      const answered = new Promise<string>((resolve) => {
        customer.on('control:state', (s: ControlStatus) => s.state === 'granted' && resolve('ok'));
        customer.on('protocol:error', (e: ProtocolError) => resolve(e.code));
      });
      const ended = new Promise((resolve) => customer.once('session:ended', resolve));
      customer.emit('control:answer', { agentId, allow: true });
      agent.emit('session:end');
      await Promise.all([answered, ended]);
      assert.equal(await store.getSession(sessionId), null, `run ${run}: nothing came back`);
      assert.equal(await store.findSessionIdByCode(code.replace('-', '')), null, `run ${run}`);
    }
  });
});

/** The one agent's participant id, from the stored record. */
async function agentIdOf(sessionId: string): Promise<string> {
  const id = (await store.getSession(sessionId))?.agents[0]?.id;
  assert.ok(id);
  return id;
}
