import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../store/index.ts';
import { CodeAttemptGuard } from './code-attempts.ts';

function guard(now: { t: number }) {
  return new CodeAttemptGuard({
    counter: new MemoryStore(() => now.t),
    attemptsPerMinute: 5,
    failuresBeforeLockout: 3,
    lockoutMs: 600_000,
    now: () => now.t,
  });
}

describe('code attempts', () => {
  it('locks out after the failures, and lets go when the window ends', async () => {
    const now = { t: 1_000_000 };
    const g = guard(now);
    const who = { address: '192.0.2.1', agentId: 'a' };
    for (let i = 0; i < 3; i++) {
      assert.ok((await g.admit(who)).ok, `attempt ${i + 1} admitted`);
      now.t += 30_000; // slow enough for the per-minute budget
      const locked = await g.recordFailure(who);
      assert.equal(locked, i === 2, `locked after failure ${i + 1}`);
    }
    const refused = await g.admit(who);
    assert.equal(!refused.ok && refused.lockedOut, true);
    now.t += 600_000;
    assert.ok((await g.admit(who)).ok, 'the lockout ends with its window');
  });

  it('counts successful attempts towards the minute budget but not the lockout', async () => {
    const now = { t: 0 };
    const g = guard(now);
    const who = { address: '192.0.2.2' };
    for (let i = 0; i < 5; i++) assert.ok((await g.admit(who)).ok);
    const sixth = await g.admit(who);
    assert.equal(!sixth.ok && sixth.code, 'rate_limited');
    assert.equal(!sixth.ok && sixth.lockedOut, false);
    now.t += 60_000;
    assert.ok((await g.admit(who)).ok, 'a new minute, no lockout from successes');
  });

  it('keeps addresses and agents apart', async () => {
    const now = { t: 0 };
    const g = guard(now);
    for (let i = 0; i < 3; i++) {
      await g.admit({ address: 'x', agentId: 'bad' });
      await g.recordFailure({ address: 'x', agentId: 'bad' });
    }
    assert.equal(
      (await g.admit({ address: 'y', agentId: 'bad' })).ok,
      false,
      'the agent elsewhere',
    );
    assert.equal((await g.admit({ address: 'x', agentId: 'good' })).ok, false, 'the address');
    assert.equal((await g.admit({ address: 'y', agentId: 'good' })).ok, true, 'others');
  });
});
