/**
 * One contract, two stores: the memory store and the Redis store (against a real redis-server)
 * must answer every call the same way, and hold the same under concurrent updates: the races of
 * join × join, touch × revoke and grant × end run against both, with 1–3 ms of latency injected
 * between each update's read and its write so that the writes really interleave.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { PageSnapshot } from '../../server/src/protocol/index.ts';
import { failure } from '../../server/src/protocol/index.ts';
import {
  MemoryStore,
  type CasLoopOptions,
  type SessionRecord,
  type SessionTransition,
  type Store,
} from '../../server/src/store/index.ts';
import { RedisStore } from '../../server/src/store/redis-store.ts';
import {
  answerControl,
  endControl,
  hasControl,
  requestControl,
} from '../../server/src/session/control.ts';
import { endSession, joinAgent, touchSession } from '../../server/src/session/session.ts';
import { appendLinked } from '../../server/src/security/audit-writer.ts';
import { GENESIS_HASH } from '../../server/src/security/audit-chain.ts';
import { startRedis, type RunningRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';
import { pageSnapshot } from '../support/pages.ts';

let redis: RunningRedis;
const clients: Redis[] = [];
before(async () => {
  redis = await startRedis();
});
after(async () => {
  for (const client of clients) client.disconnect();
  await redis.destroy();
});

let counter = 0;
const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => {
  counter += 1;
  return {
    id: `s${counter}-${Math.random().toString(36).slice(2)}`,
    version: 0,
    code: `CODE${counter}${Math.random().toString(36).slice(2, 6)}`,
    status: 'waiting',
    createdAt: 1,
    lastActivityAt: 1,
    origin: 'https://shop.test',
    url: 'https://shop.test/',
    tokenHash: 'h',
    agents: [],
    customerConnected: true,
    everJoined: false,
    control: null,
    ...overrides,
  };
};
const snapshot = (seq: number): PageSnapshot => pageSnapshot(seq, []);

const TTL = { ttlMs: () => 60_000 };

/** 1–3 ms between an update's read and its write: the store latency of a busy cluster. */
const latency: CasLoopOptions = {
  beforeWrite: () => new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 2)),
};

const factories: Array<[string, (updates?: CasLoopOptions) => Store]> = [
  ['memory', (updates) => new MemoryStore(Date.now, updates ? { updates } : {})],
  [
    'redis',
    (updates) => {
      const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
      clients.push(client);
      return new RedisStore(client, {
        pageTtlMs: 60_000,
        prefix: `t${Math.random().toString(36).slice(2)}:`,
        ...(updates && { updates }),
      });
    },
  ],
];

/** A started session with agents `a` and `b` in it, at its stored version. */
async function withAgents(store: Store): Promise<SessionRecord> {
  const a = record();
  assert.equal(await store.createSession(a, 60_000), true);
  for (const id of ['a', 'b']) {
    const joined = await store.update(a.id, (s) => joinAgent(s, { id, name: id }, 50, 2), TTL);
    assert.ok(joined.ok);
  }
  const current = await store.getSession(a.id);
  assert.ok(current);
  return current;
}

const grantTo =
  (agentId: string): SessionTransition =>
  (s) => {
    const asked = requestControl(s, { id: agentId, name: agentId }, 3);
    return asked.ok ? answerControl(asked.session, agentId, true, 4) : asked;
  };

for (const [name, makeStore] of factories) {
  describe(`${name} store`, () => {
    it('creates a session once per code and finds it by code', async () => {
      const store = makeStore();
      const a = record();
      assert.equal(await store.createSession(a, 60_000), true);
      assert.equal(await store.createSession({ ...record(), code: a.code }, 60_000), false);
      assert.equal(await store.findSessionIdByCode(a.code), a.id);
      assert.deepEqual(await store.getSession(a.id), { ...a, version: 1 });
      assert.deepEqual(await store.listSessionIds(), [a.id]);
    });

    it('updates through a transition, bumping the version, and removes exactly once', async () => {
      const store = makeStore();
      const a = record();
      await store.createSession(a, 60_000);
      assert.equal((await store.getSession(a.id))?.version, 1);
      const joined = await store.update(
        a.id,
        (s) => joinAgent(s, { id: 'x', name: 'X' }, 4, 5),
        TTL,
      );
      assert.ok(joined.ok);
      assert.deepEqual([joined.written, joined.removed, joined.previous.version], [true, false, 1]);
      assert.equal(joined.session.version, 2);
      assert.deepEqual(await store.getSession(a.id), joined.session);
      // A transition that changes nothing writes nothing; a refusal writes nothing either.
      const same = await store.update(a.id, (s) => ({ ok: true, session: s }), TTL);
      assert.ok(same.ok);
      assert.deepEqual([same.written, same.session.version], [false, 2]);
      const refused = await store.update(a.id, () => failure('forbidden'), TTL);
      assert.equal(!refused.ok && refused.code, 'forbidden');
      assert.equal((await store.getSession(a.id))?.version, 2);
      await store.putSnapshot(a.id, snapshot(1));
      const ended = await store.update(a.id, (s) => endSession(s, 'agent', 6), TTL);
      assert.ok(ended.ok);
      assert.deepEqual([ended.removed, ended.session.status], [true, 'ended']);
      const again = await store.update(a.id, (s) => endSession(s, 'agent', 7), TTL);
      assert.equal(!again.ok && again.code, 'session_ended');
      assert.equal(await store.getSession(a.id), null);
      assert.equal(await store.findSessionIdByCode(a.code), null);
      assert.equal((await store.getPage(a.id)).snapshot, null);
      assert.deepEqual(await store.listSessionIds(), []);
      // A code freed by the end may be taken again.
      assert.equal(await store.createSession({ ...record(), code: a.code }, 60_000), true);
    });

    it('gives up with session_busy when every attempt meets another write', async () => {
      let inner = false;
      const a = record();
      const id = a.id;
      const store: Store = makeStore({
        maxAttempts: 3,
        // Another writer always slips in between this update's read and its write.
        beforeWrite: async () => {
          if (inner) return;
          inner = true;
          await store.update(id, (s) => touchSession(s, s.lastActivityAt + 1), TTL);
          inner = false;
        },
      });
      await store.createSession(a, 60_000);
      const result = await store.update(id, (s) => joinAgent(s, { id: 'x', name: 'X' }, 4, 5), TTL);
      assert.equal(!result.ok && result.code, 'session_busy');
      assert.deepEqual((await store.getSession(id))?.agents, []);
    });

    it('keeps a snapshot and the batches in sequence after it', async () => {
      const store = makeStore();
      const a = record();
      await store.createSession(a, 60_000);
      assert.deepEqual(await store.appendBatch(a.id, { seq: 1, sentAt: 0, ops: [] }), {
        ok: false,
        lastSeq: 0,
      });
      assert.equal(await store.putSnapshot(a.id, snapshot(1)), true);
      assert.deepEqual(await store.appendBatch(a.id, { seq: 2, sentAt: 0, ops: [] }), {
        ok: true,
        count: 1,
      });
      assert.deepEqual(await store.appendBatch(a.id, { seq: 4, sentAt: 0, ops: [] }), {
        ok: false,
        lastSeq: 2,
      });
      assert.deepEqual(
        await store.appendBatch(a.id, { seq: 3, sentAt: 0, ops: [{ op: 'remove', id: 2 }] }),
        { ok: true, count: 2 },
      );
      assert.equal(await store.putSnapshot(a.id, snapshot(3)), false);
      const page = await store.getPage(a.id);
      assert.equal(page.snapshot?.seq, 1);
      assert.deepEqual(
        page.batches.map((b) => b.seq),
        [2, 3],
      );
      assert.equal(page.lastSeq, 3);
      assert.equal(await store.getPageSeq(a.id), 3, 'the sequence alone says the same');
      assert.equal(await store.putSnapshot(a.id, snapshot(7)), true);
      const fresh = await store.getPage(a.id);
      assert.deepEqual([fresh.snapshot?.seq, fresh.batches.length, fresh.lastSeq], [7, 0, 7]);
      assert.equal(await store.getPageSeq(a.id), 7);
      assert.equal(await store.getPageSeq('missing'), 0);
    });

    it('refuses page data for a session that does not exist', async () => {
      const store = makeStore();
      assert.equal(await store.putSnapshot('missing', snapshot(1)), false);
      assert.equal((await store.appendBatch('missing', { seq: 1, sentAt: 0, ops: [] })).ok, false);
    });

    it('counts hits per window', async () => {
      const store = makeStore();
      const key = `k${Math.random()}`;
      assert.equal(await store.hit(key, 60_000, 120_000), 1);
      assert.equal(await store.hit(key, 60_000, 130_000), 2);
      assert.equal(await store.hit(key, 60_000, 180_000), 1);
    });

    it('join × join: concurrent joins lose no agent', async () => {
      const store = makeStore(latency);
      for (let run = 0; run < 5; run++) {
        const a = record();
        await store.createSession(a, 60_000);
        const ids = Array.from({ length: 10 }, (_, i) => `agent-${i}`);
        const results = await Promise.all(
          ids.map((id) => store.update(a.id, (s) => joinAgent(s, { id, name: id }, 50, 9), TTL)),
        );
        assert.ok(results.every((r) => r.ok));
        const stored = await store.getSession(a.id);
        assert.deepEqual(stored?.agents.map((x) => x.id).sort(), [...ids].sort());
        assert.equal(stored?.version, 1 + ids.length);
      }
    });

    it('touch × revoke: a revoked grant never comes back', async () => {
      const store = makeStore(latency);
      for (let run = 0; run < 20; run++) {
        const session = await withAgents(store);
        assert.ok((await store.update(session.id, grantTo('a'), TTL)).ok);
        const revoke = store.update(session.id, (s) => endControl(s), TTL);
        const touches = [1, 2, 3].map((n) =>
          store.update(session.id, (s) => touchSession(s, 100 + run * 10 + n), TTL),
        );
        const [revoked] = await Promise.all([revoke, ...touches]);
        assert.ok(revoked.ok);
        const stored = await store.getSession(session.id);
        assert.equal(stored?.control, null, `run ${run}: the grant came back`);
        assert.equal(stored && hasControl(stored, 'a'), false);
        assert.deepEqual(
          stored?.agents.map((x) => x.id),
          ['a', 'b'],
        );
      }
    });

    it('grant × end: an ended session stays ended, with nothing granted', async () => {
      const store = makeStore(latency);
      for (let run = 0; run < 20; run++) {
        const session = await withAgents(store);
        const asked = await store.update(
          session.id,
          (s) => requestControl(s, { id: 'a', name: 'a' }, 3),
          TTL,
        );
        assert.ok(asked.ok);
        const [granted, ended] = await Promise.all([
          store.update(session.id, (s) => answerControl(s, 'a', true, 4), TTL),
          store.update(session.id, (s) => endSession(s, 'customer', 5), TTL),
        ]);
        assert.ok(ended.ok && ended.removed, `run ${run}: the end did not land`);
        assert.ok(granted.ok || granted.code === 'session_ended');
        assert.equal(ended.session.control, null);
        assert.equal(await store.getSession(session.id), null);
        assert.equal(await store.findSessionIdByCode(session.code), null);
        // A late grant finds nothing to write.
        const late = await store.update(session.id, (s) => answerControl(s, 'a', true, 6), TTL);
        assert.equal(!late.ok && late.code, 'session_ended');
      }
    });

    it('appends to an audit chain only over the head it read, and keeps the records in order', async () => {
      const store = makeStore();
      const chain = `c${Math.random().toString(36).slice(2)}`;
      assert.equal(await store.getAuditHead(chain), null);
      const one = { seq: 1, hash: 'a'.repeat(64) };
      assert.equal(await store.appendAudit(chain, one, one, 'r0', 60_000), false, 'no head yet');
      assert.equal(await store.appendAudit(chain, null, one, 'r1', 60_000), true);
      assert.equal(await store.appendAudit(chain, null, one, 'again', 60_000), false, 'stale head');
      const two = { seq: 2, hash: 'b'.repeat(64) };
      assert.equal(
        await store.appendAudit(chain, { seq: 1, hash: 'c'.repeat(64) }, two, 'forged', 60_000),
        false,
        'a head of the right seq but another hash',
      );
      assert.equal(await store.appendAudit(chain, one, two, 'r2', 60_000), true);
      assert.deepEqual(await store.getAuditHead(chain), two);
      assert.deepEqual(await store.getAuditChain(chain), ['r1', 'r2']);
      assert.deepEqual(await store.getAuditChain('none-such'), []);
    });

    it('audit × audit: concurrent writers (two nodes) append one unbroken chain', async () => {
      const nodes = name === 'memory' ? [makeStore()] : [makeStore(), makeStore()];
      if (name === 'redis') {
        // Both clients on one prefix: two nodes of one cluster.
        const shared = `t${Math.random().toString(36).slice(2)}:`;
        nodes.splice(
          0,
          2,
          ...[0, 1].map(() => {
            const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
            clients.push(client);
            return new RedisStore(client, { pageTtlMs: 60_000, prefix: shared });
          }),
        );
      }
      const session = `s${Math.random().toString(36).slice(2)}`;
      const actor = { subject: 'test:a', name: 'A', role: 'agent' } as const;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          appendLinked(nodes[i % nodes.length]!, {
            event: 'agent.joined',
            outcome: 'success',
            at: i,
            actor,
            session,
          }),
        ),
      );
      const records = (await nodes[0]!.getAuditChain(session)).map(
        (r) => JSON.parse(r) as { seq: number; prev: string; hash: string },
      );
      assert.deepEqual(
        records.map((r) => r.seq),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      records.forEach((r, i) =>
        assert.equal(r.prev, i === 0 ? GENESIS_HASH : records[i - 1]!.hash),
      );
      assert.deepEqual(await nodes[1 % nodes.length]!.getAuditHead(session), {
        seq: 40,
        hash: records.at(-1)!.hash,
      });
    });

    it('reports itself healthy', async () => {
      const store = makeStore();
      // A new client is healthy once it has connected.
      assert.equal(await waitFor(() => store.isHealthy(), 'healthy store', 5000), true);
    });
  });
}

describe('redis store with records of an older node', () => {
  it('reads a record without version or control as version 0 with nobody in control, and updates it', async () => {
    const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    clients.push(client);
    const prefix = `legacy${Math.random().toString(36).slice(2)}:`;
    const store = new RedisStore(client, { pageTtlMs: 60_000, prefix });
    const a = record();
    const legacy: Partial<SessionRecord> = { ...a };
    delete legacy.version;
    delete legacy.control;
    await client.set(`${prefix}session:${a.id}`, JSON.stringify(legacy), 'PX', 60_000);
    await client.set(`${prefix}code:${a.code}`, a.id, 'PX', 60_000);
    assert.deepEqual(await store.getSession(a.id), { ...a, version: 0, control: null });
    const joined = await store.update(a.id, (s) => joinAgent(s, { id: 'x', name: 'X' }, 4, 5), TTL);
    assert.ok(joined.ok);
    assert.equal((await store.getSession(a.id))?.version, 1);
  });
});

describe('redis store without redis', () => {
  it('reports unhealthy instead of hanging or throwing', async () => {
    const client = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    clients.push(client);
    const store = new RedisStore(client, { pageTtlMs: 1000 });
    assert.equal(await store.isHealthy(), false);
    await assert.rejects(store.getSession('x'));
  });
});
