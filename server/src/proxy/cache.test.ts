import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshnessMs, MemoryResourceCache, RedisResourceCache } from './cache.ts';

const type = { kind: 'image' as const, type: 'image/png' };

describe('proxy cache', () => {
  it('follows the upstream cache headers', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    assert.equal(freshnessMs({ cacheControl: 'max-age=60' }, now), 60_000);
    assert.equal(freshnessMs({ cacheControl: 'public, max-age=60', age: '50' }, now), 10_000);
    assert.equal(freshnessMs({ cacheControl: 's-maxage=5, max-age=60' }, now), 5000);
    assert.equal(freshnessMs({ cacheControl: 'no-store, max-age=60' }, now), 0);
    assert.equal(freshnessMs({ cacheControl: 'private, max-age=60' }, now), 0);
    assert.equal(freshnessMs({ cacheControl: 'no-cache' }, now), 0);
    assert.equal(
      freshnessMs(
        { expires: 'Tue, 01 Jan 2030 00:01:00 GMT', date: 'Tue, 01 Jan 2030 00:00:00 GMT' },
        now,
      ),
      60_000,
    );
    assert.equal(freshnessMs({}, now), 0);
  });
  it('keeps the memory cache under its byte bound and expires entries', async () => {
    let clock = 0;
    const cache = new MemoryResourceCache(10, () => clock);
    const entry = (n: number) => ({ url: 'u', type, body: Buffer.alloc(n), expiresAt: 100 });
    await cache.set('a', entry(4));
    await cache.set('b', entry(4));
    assert.ok(await cache.get('a')); // a is now the most recent
    await cache.set('c', entry(4));
    assert.equal(await cache.get('b'), null);
    assert.ok(await cache.get('a'));
    assert.equal(cache.size, 2);
    clock = 100;
    assert.equal(await cache.get('a'), null);
  });
  it('stores entries in Redis with their time to live', async () => {
    const data = new Map<string, Buffer>();
    const ttls: number[] = [];
    const redis = {
      getBuffer: async (key: string) => data.get(key) ?? null,
      set: async (key: string, value: Buffer, _mode: 'PX', ms: number) => {
        data.set(key, value);
        ttls.push(ms);
      },
    };
    const cache = new RedisResourceCache(redis, () => 1000);
    await cache.set('https://cdn.test/x.png', {
      url: 'https://cdn.test/y.png',
      type,
      body: Buffer.from('png'),
      expiresAt: 6000,
    });
    const got = await cache.get('https://cdn.test/x.png');
    assert.equal(got?.body.toString(), 'png');
    assert.equal(got?.url, 'https://cdn.test/y.png');
    assert.deepEqual(ttls, [5000]);
  });
});
