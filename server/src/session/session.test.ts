import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSession,
  endSession,
  expiresAt,
  isExpired,
  joinAgent,
  leaveAgent,
  setCustomerConnected,
  viewOf,
} from './session.ts';

const timeouts = { unusedTtlMs: 600_000, idleTtlMs: 1_800_000 };
const fresh = () =>
  createSession({
    id: 's1',
    code: 'ABCDEFGH',
    tokenHash: 'h',
    origin: 'https://shop.test',
    url: 'https://shop.test/',
    now: 1000,
  });
const alice = { id: 'a1', name: 'Alice' };
const bob = { id: 'a2', name: 'Bob' };

describe('session state machine', () => {
  it('starts waiting, with the customer connected and no agents', () => {
    const s = fresh();
    assert.equal(s.status, 'waiting');
    assert.deepEqual(viewOf(s), {
      sessionId: 's1',
      code: 'ABCDEFGH',
      status: 'waiting',
      agents: [],
      customerConnected: true,
    });
  });

  it('becomes active when an agent joins, and waiting again when the last one leaves', () => {
    const joined = joinAgent(fresh(), alice, 4, 2000);
    assert.ok(joined.ok);
    assert.equal(joined.session.status, 'active');
    const two = joinAgent(joined.session, bob, 4, 2100);
    assert.ok(two.ok);
    const one = leaveAgent(two.session, 'a1', 2200);
    assert.ok(one.ok);
    assert.equal(one.session.status, 'active');
    assert.deepEqual(one.session.agents, [bob]);
    const none = leaveAgent(one.session, 'a2', 2300);
    assert.ok(none.ok);
    assert.equal(none.session.status, 'waiting');
  });

  it('refuses an agent beyond the limit', () => {
    const joined = joinAgent(fresh(), alice, 1, 2000);
    assert.ok(joined.ok);
    const refused = joinAgent(joined.session, bob, 1, 2000);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, 'session_full');
  });

  it('lets the same agent rejoin without taking a second seat', () => {
    const joined = joinAgent(fresh(), alice, 1, 2000);
    assert.ok(joined.ok);
    const again = joinAgent(joined.session, alice, 1, 3000);
    assert.ok(again.ok);
    assert.equal(again.session.agents.length, 1);
  });

  it('refuses every change once ended', () => {
    const ended = endSession(fresh(), 'customer', 2000);
    assert.ok(ended.ok);
    assert.equal(ended.session.endedReason, 'customer');
    for (const next of [
      joinAgent(ended.session, alice, 4, 3000),
      endSession(ended.session, 'agent', 3000),
      setCustomerConnected(ended.session, false, 3000),
    ]) {
      assert.equal(next.ok, false);
      assert.equal(!next.ok && next.code, 'session_ended');
    }
  });

  it('marks the customer away only when the connection that leaves is the current one', () => {
    const shared = { ...fresh(), customerConnection: 'tab-b' };
    const stale = setCustomerConnected(shared, false, 2000, 'tab-a');
    assert.equal(!stale.ok && stale.code, 'not_in_session');
    const current = setCustomerConnected(shared, false, 2000, 'tab-b');
    assert.ok(current.ok && !current.session.customerConnected);
    assert.equal(current.ok && current.session.customerLeftAt, 2000);
    // A record of an older node names no connection: any leaving counts.
    const older = setCustomerConnected(fresh(), false, 2000, 'tab-a');
    assert.ok(older.ok && !older.session.customerConnected);
  });

  it('refuses a leave from someone who is not there', () => {
    const result = leaveAgent(fresh(), 'nobody', 2000);
    assert.equal(!result.ok && result.code, 'not_in_session');
  });

  it('expires an unused session after the unused TTL, a used one after the idle TTL', () => {
    const s = fresh();
    assert.equal(expiresAt(s, timeouts), 1000 + 600_000);
    assert.equal(isExpired(s, 600_999, timeouts), false);
    assert.equal(isExpired(s, 601_000, timeouts), true);
    const joined = joinAgent(s, alice, 4, 500_000);
    assert.ok(joined.ok);
    assert.equal(expiresAt(joined.session, timeouts), 500_000 + 1_800_000);
    assert.equal(isExpired(joined.session, 601_000, timeouts), false);
  });

  it('does not mutate the record it was given', () => {
    const s = fresh();
    const copy = structuredClone(s);
    joinAgent(s, alice, 4, 2000);
    endSession(s, 'agent', 2000);
    assert.deepEqual(s, copy);
  });
});
