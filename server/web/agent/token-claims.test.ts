import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenGrants, tokenName } from './token-claims.ts';

const tokenWith = (payload: unknown): string =>
  `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('tokenGrants', () => {
  const cases: Array<[string, string | null, boolean]> = [
    ['a space-separated scope', tokenWith({ scope: 'cobrowse:monitor cobrowse:supervise' }), true],
    ['an array in another claim', tokenWith({ roles: ['cobrowse:supervise'] }), true],
    ['monitor only', tokenWith({ scope: 'cobrowse:monitor' }), false],
    ['a prefix is not the privilege', tokenWith({ scope: 'cobrowse:supervise-lite' }), false],
    ['no token', null, false],
    ['not a JWT', 'garbage', false],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c', false],
    ['a payload that is an array', tokenWith(['cobrowse:supervise']), false],
    ['non-ASCII claims', tokenWith({ name: 'Zoë', scope: 'cobrowse:supervise' }), true],
  ];
  for (const [name, token, expected] of cases) {
    it(name, () => assert.equal(tokenGrants(token, 'cobrowse:supervise'), expected));
  }
});

describe('tokenName', () => {
  it('reads the name claim, else the subject', () => {
    assert.equal(tokenName(tokenWith({ name: ' Zoë ', sub: 'z' })), 'Zoë');
    assert.equal(tokenName(tokenWith({ sub: 'agent-7' })), 'agent-7');
    assert.equal(tokenName(tokenWith({ scope: 'x' })), null);
    assert.equal(tokenName(null), null);
  });
});
