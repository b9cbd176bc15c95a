import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionCache } from './session-cache.ts';

describe('SessionCache', () => {
  it('keeps at most maxSessions, evicting the least recently used', () => {
    const evicted: string[] = [];
    const cache = new SessionCache<number>({ maxSessions: 2, onEvict: (id) => evicted.push(id) });
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1, 'a is used: b is now the oldest');
    cache.set('c', 3);
    assert.deepEqual(evicted, ['b']);
    assert.equal(cache.size, 2);
    assert.equal(cache.has('b'), false);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
  });

  it('does not count a peek as a use', () => {
    const evicted: string[] = [];
    const cache = new SessionCache<number>({ maxSessions: 2, onEvict: (id) => evicted.push(id) });
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.peek('a'), 1);
    cache.set('c', 3);
    assert.deepEqual(evicted, ['a']);
  });

  it('replaces an entry in place of adding one', () => {
    const cache = new SessionCache<number>({ maxSessions: 2 });
    cache.set('a', 1);
    cache.set('a', 2);
    assert.equal(cache.size, 1);
    assert.equal(cache.get('a'), 2);
  });

  it('frees an entry on delete, without calling it an eviction', () => {
    const evicted: string[] = [];
    const cache = new SessionCache<number>({ onEvict: (id) => evicted.push(id) });
    cache.set('a', 1);
    assert.equal(cache.delete('a'), true);
    assert.equal(cache.delete('a'), false);
    assert.equal(cache.size, 0);
    assert.deepEqual(evicted, []);
  });

  it('refuses a bound below one', () => {
    assert.throws(() => new SessionCache({ maxSessions: 0 }), /maxSessions/);
  });
});
