import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionView } from '../../src/protocol/index.ts';
import { describeDestination, describePage, NAVIGATION_PATIENCE_MS } from './page-status-text.ts';

const view: SessionView = {
  sessionId: 's',
  code: 'C',
  status: 'active',
  agents: [],
  customerConnected: true,
};
const here = 'https://shop.test/demo/cart.html';

describe('the page status an agent sees', () => {
  it('names the destination by its path on the same origin, by host and path elsewhere', () => {
    assert.equal(describeDestination('https://shop.test/demo/', here), '/demo/');
    assert.equal(describeDestination('https://account.test/me', here), 'account.test/me');
    assert.equal(describeDestination('', here), '');
  });

  const cases: Array<[string, Partial<SessionView>, string, RegExp]> = [
    ['live', {}, 'live', /^$/],
    [
      'navigating',
      { page: { state: 'navigating', to: 'https://shop.test/demo/', since: 1 } },
      'navigating',
      /^Customer is navigating to \/demo\/…$/,
    ],
    [
      'navigating, destination unknown',
      { page: { state: 'navigating', to: '', since: 1 }, customerConnected: false },
      'navigating',
      /^Customer is navigating…$/,
    ],
    [
      'paused by the site',
      { page: { state: 'paused', reason: 'site', since: 1 } },
      'paused',
      /paused by the site/,
    ],
    [
      'outside the site',
      { page: { state: 'paused', reason: 'left_site', since: 1 } },
      'paused',
      /left the site/,
    ],
    [
      'left',
      { customerConnected: false, customerLeftAt: Date.UTC(2026, 0, 1, 10, 42, 13) },
      'left',
      /^Customer left at \d\d:\d\d:13$/,
    ],
  ];
  it('reads a page change that never ends (a closed tab) as the customer leaving', () => {
    const closing: SessionView = {
      ...view,
      customerConnected: false,
      customerLeftAt: 1000,
      page: { state: 'navigating', to: '', since: 1000 },
    };
    assert.equal(describePage(closing, here, 1000 + NAVIGATION_PATIENCE_MS - 1).kind, 'navigating');
    assert.equal(describePage(closing, here, 1000 + NAVIGATION_PATIENCE_MS).kind, 'left');
  });

  for (const [what, change, kind, text] of cases) {
    it(what, () => {
      const status = describePage({ ...view, ...change }, here, 1);
      assert.equal(status.kind, kind);
      assert.match(status.text, text);
    });
  }
});
