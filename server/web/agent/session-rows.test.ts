import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionSummary } from '../../src/protocol/index.ts';
import { describeSession, formatAge } from './session-rows.ts';

describe('formatAge', () => {
  const cases: Array<[number, string]> = [
    [-5, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [59 * 60_000, '59 min'],
    [3_600_000, '1 h'],
    [3_600_000 + 5 * 60_000, '1 h 5 min'],
    [3 * 86_400_000 + 1, '3 d'],
  ];
  for (const [ms, expected] of cases)
    it(`${ms} ms → ${expected}`, () => assert.equal(formatAge(ms), expected));
});

describe('describeSession', () => {
  const session: SessionSummary = {
    sessionId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    status: 'active',
    origin: 'https://shop.example',
    url: 'https://shop.example/cart?step=2',
    createdAt: 1_000_000,
    agents: [
      { id: 'a', name: 'Alice' },
      { id: 'b', name: 'Bob' },
    ],
    customerConnected: false,
  };

  it('shows the page path apart from its origin, who is there and the age', () => {
    assert.deepEqual(describeSession(session, 1_000_000 + 125_000), {
      sessionId: session.sessionId,
      shortId: '0f1e2d3c',
      origin: 'https://shop.example',
      path: '/cart?step=2',
      status: 'Active',
      customer: 'Away',
      agents: 'Alice, Bob',
      age: '2 min',
    });
  });

  it('says when no agent is present and keeps an unparsable URL as it is', () => {
    const row = describeSession(
      { ...session, status: 'waiting', agents: [], customerConnected: true, url: 'not a url' },
      session.createdAt,
    );
    assert.equal(row.agents, 'None');
    assert.equal(row.status, 'Waiting for an agent');
    assert.equal(row.customer, 'Connected');
    assert.equal(row.path, 'not a url');
  });
});
