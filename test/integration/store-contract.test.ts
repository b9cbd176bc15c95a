/**
 * One contract, two stores: the memory store and the Redis store (against a real redis-server)
 * must answer every call the same way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { PageSnapshot } from '../../server/src/protocol/index.ts';
import { MemoryStore, type SessionRecord, type Store } from '../../server/src/store/index.ts';
import { RedisStore } from '../../server/src/store/redis-store.ts';
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
    ...overrides,
  };
};
const snapshot = (seq: number): PageSnapshot => pageSnapshot(seq, []);

const factories: Array<[string, () => Store]> = [
  ['memory', () => new MemoryStore()],
  [
    'redis',
    () => {
      const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
      clients.push(client);
      return new RedisStore(client, {
        pageTtlMs: 60_000,
        prefix: `t${Math.random().toString(36).slice(2)}:`,
      });
    },
  ],
];

for (const [name, makeStore] of factories) {
  describe(`${name} store`, () => {
    it('creates a session once per code and finds it by code', async () => {
      const store = makeStore();
      const a = record();
      assert.equal(await store.createSession(a, 60_000), true);
      assert.equal(await store.createSession({ ...record(), code: a.code }, 60_000), false);
      assert.equal(await store.findSessionIdByCode(a.code), a.id);
      assert.deepEqual(await store.getSession(a.id), a);
      assert.deepEqual(await store.listSessionIds(), [a.id]);
    });

    it('saves changes and deletes exactly once', async () => {
      const store = makeStore();
      const a = record();
      await store.createSession(a, 60_000);
      await store.saveSession({ ...a, status: 'active' }, 60_000);
      assert.equal((await store.getSession(a.id))?.status, 'active');
      assert.equal(await store.deleteSession(a.id), true);
      assert.equal(await store.deleteSession(a.id), false);
      assert.equal(await store.getSession(a.id), null);
      assert.equal(await store.findSessionIdByCode(a.code), null);
      // Saving a deleted record does not bring it back.
      await store.saveSession(a, 60_000);
      assert.equal(await store.getSession(a.id), null);
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
      assert.equal(await store.putSnapshot(a.id, snapshot(7)), true);
      const fresh = await store.getPage(a.id);
      assert.deepEqual([fresh.snapshot?.seq, fresh.batches.length, fresh.lastSeq], [7, 0, 7]);
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

    it('reports itself healthy', async () => {
      const store = makeStore();
      // A new client is healthy once it has connected.
      assert.equal(await waitFor(() => store.isHealthy(), 'healthy store', 5000), true);
    });
  });
}

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
