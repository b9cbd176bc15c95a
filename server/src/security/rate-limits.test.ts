import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionRateLimiter } from './rate-limits.ts';

describe('per-session message budget', () => {
  it('allows a burst of twice the rate, then refills with time, per session', () => {
    const now = { t: 0 };
    const limiter = new SessionRateLimiter({ perSecond: 10, now: () => now.t });
    let taken = 0;
    while (limiter.take('s1')) taken += 1;
    assert.equal(taken, 20);
    assert.equal(limiter.take('s2'), true, 'another session has its own budget');
    now.t += 500;
    let refilled = 0;
    while (limiter.take('s1')) refilled += 1;
    assert.equal(refilled, 5);
  });

  it('keeps at most maxSessions buckets, dropping idle ones', () => {
    const now = { t: 0 };
    const limiter = new SessionRateLimiter({ perSecond: 1, now: () => now.t, maxSessions: 2 });
    limiter.take('a');
    limiter.take('b');
    now.t += 5000;
    limiter.take('c');
    // 'a' was idle and pruned: it starts again with a full burst of 2.
    assert.equal(limiter.take('a') && limiter.take('a'), true);
  });
});
