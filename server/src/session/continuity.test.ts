import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HANDOFF_TTL_MS } from '../protocol/index.ts';
import {
  addHandoff,
  credentialFor,
  customerGone,
  markLive,
  markNavigating,
  markPaused,
  resumeWith,
  setTab,
} from './continuity.ts';
import { parseTabInfo } from '../protocol/validate-continuity.ts';
import { createSession, endSession, setCustomerConnected, viewOf } from './session.ts';

const SHOP = 'https://shop.test';
const ACCOUNT = 'https://account.shop.test';
/** A stand-in for the real hash check: the "hash" of a token is the token reversed. */
const matches = (token: string, hash: string): boolean => [...token].reverse().join('') === hash;
const hashOf = (token: string): string => [...token].reverse().join('');
const base = createSession({
  id: 's',
  code: 'C',
  tokenHash: hashOf('t1'),
  origin: SHOP,
  url: `${SHOP}/`,
  now: 0,
});

describe('session continuity', () => {
  it('resumes from the start origin with the start token, and rotates it', () => {
    const next = resumeWith(
      base,
      { origin: SHOP, token: 't1', nextHash: hashOf('t2') },
      matches,
      5,
    );
    assert.ok(next.ok);
    assert.equal(credentialFor(next.session, SHOP)?.hash, hashOf('t2'));
    assert.equal(next.session.customerConnected, true);
  });

  const refusals: Array<[string, Parameters<typeof resumeWith>[1]]> = [
    ['a wrong token', { origin: SHOP, token: 'nope', nextHash: 'x' }],
    ['the right token from another origin', { origin: ACCOUNT, token: 't1', nextHash: 'x' }],
  ];
  for (const [what, presented] of refusals) {
    it(`refuses ${what}`, () => {
      const result = resumeWith(base, presented, matches, 5);
      assert.equal(!result.ok && result.code, 'resume_refused');
    });
  }

  it('refuses a used token, and any token once the session ended', () => {
    const once = resumeWith(
      base,
      { origin: SHOP, token: 't1', nextHash: hashOf('t2') },
      matches,
      5,
    );
    assert.ok(once.ok);
    const twice = resumeWith(
      once.session,
      { origin: SHOP, token: 't1', nextHash: 'x' },
      matches,
      6,
    );
    assert.equal(!twice.ok && twice.code, 'resume_refused');
    const ended = endSession(once.session, 'customer', 7);
    assert.ok(ended.ok);
    const after = resumeWith(
      ended.session,
      { origin: SHOP, token: 't2', nextHash: 'x' },
      matches,
      8,
    );
    assert.equal(!after.ok && after.code, 'resume_refused');
  });

  it('hands off to another origin once, before it expires, and keeps the first origin', () => {
    const handed = addHandoff(base, ACCOUNT, hashOf('h1'), 100);
    assert.ok(handed.ok);
    const late = resumeWith(
      handed.session,
      { origin: ACCOUNT, token: 'h1', nextHash: 'x' },
      matches,
      100 + HANDOFF_TTL_MS + 1,
    );
    assert.equal(!late.ok && late.code, 'resume_refused', 'an expired hand-off');
    const used = resumeWith(
      handed.session,
      { origin: ACCOUNT, token: 'h1', nextHash: hashOf('a2') },
      matches,
      200,
    );
    assert.ok(used.ok);
    assert.equal(
      credentialFor(used.session, ACCOUNT)?.expiresAt,
      undefined,
      'no longer a hand-off',
    );
    // Back on the shop (the back button): the shop's own credential still works.
    const back = resumeWith(
      used.session,
      { origin: SHOP, token: 't1', nextHash: 'y' },
      matches,
      300,
    );
    assert.ok(back.ok);
  });

  it('shows agents navigating and paused pages, and live again after a snapshot', () => {
    const going = markNavigating(base, `${SHOP}/cart`, 10);
    assert.ok(going.ok);
    assert.deepEqual(viewOf(going.session).page, {
      state: 'navigating',
      to: `${SHOP}/cart`,
      since: 10,
    });
    const paused = markPaused(going.session, 'site', 20);
    assert.ok(paused.ok);
    assert.equal(viewOf(paused.session).page?.state, 'paused');
    const again = markPaused(paused.session, 'site', 30);
    assert.ok(again.ok);
    assert.equal(again.session, paused.session, 'pausing twice changes nothing');
    const live = markLive(paused.session);
    assert.equal(viewOf(live).page, undefined);
    assert.equal(markLive(live), live);
  });

  it('counts the leave grace from when the last tab went away', () => {
    const left = setCustomerConnected(base, false, 1000);
    assert.ok(left.ok);
    assert.equal(viewOf(left.session).customerLeftAt, 1000);
    assert.equal(customerGone(left.session, 1000 + 29_999, 30_000), false);
    assert.equal(customerGone(left.session, 1000 + 30_000, 30_000), true);
    const outside = markPaused(left.session, 'left_site', 1000);
    assert.ok(outside.ok);
    assert.equal(
      customerGone(outside.session, 1_000_000, 30_000),
      false,
      'outside the site, idle TTL decides',
    );
    const back = setCustomerConnected(left.session, true, 2000);
    assert.ok(back.ok);
    assert.equal(back.session.customerLeftAt, undefined);
  });

  it('keeps which tab shares, writing only a change, and shows it to agents', () => {
    const first = setTab(base, { index: 2, count: 2 });
    assert.ok(first.ok);
    assert.deepEqual(viewOf(first.session).tab, { index: 2, count: 2 });
    const same = setTab(first.session, { index: 2, count: 2 });
    assert.ok(same.ok && same.session === first.session);
    const ended = endSession(base, 'customer', 1);
    assert.ok(ended.ok);
    assert.equal(!setTab(ended.session, { index: 1, count: 1 }).ok, true);
  });

  it('reads a tab report only in its exact shape', () => {
    assert.deepEqual(parseTabInfo({ index: 1, count: 3 }), {
      ok: true,
      value: { index: 1, count: 3 },
    });
    for (const bad of [
      null,
      [],
      { index: 0, count: 1 },
      { index: 2, count: 1 },
      { index: 1, count: 0 },
      { index: 1, count: 65 },
      { index: 1.5, count: 2 },
      { index: '1', count: 2 },
      { index: 1 },
      { index: 1, count: 1, title: 'x' },
    ])
      assert.equal(parseTabInfo(bad).ok, false, JSON.stringify(bad));
  });
});
