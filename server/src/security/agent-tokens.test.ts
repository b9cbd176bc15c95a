import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenVerifier } from './agent-tokens.ts';
import { mintAgentToken } from './dev-login.ts';
import { parsePrivileges } from './privileges.ts';

const secret = 'unit-test-secret-0123456789-abcdefghijklmnop';
const T0 = 1_800_000_000_000;
const mint = (over: { ttlSeconds?: number; now?: number; privileges?: string[] } = {}) =>
  mintAgentToken(
    {
      sub: 'u1',
      name: 'Ann',
      privileges: (over.privileges ?? ['cobrowse:monitor']) as never,
    },
    {
      secret,
      issuer: 'iss',
      audience: 'aud',
      ttlSeconds: over.ttlSeconds ?? 60,
      now: () => over.now ?? T0,
    },
  );

describe('agent tokens', () => {
  const at = (t: number) =>
    createTokenVerifier({
      keys: { kind: 'secret', secret },
      issuer: 'iss',
      audience: 'aud',
      clockToleranceSeconds: 0,
      now: () => t,
    });

  it('accepts a fresh token and reads the identity', async () => {
    const result = await at(T0 + 1000).verify(
      await mint({ privileges: ['cobrowse:control', 'other:x'] }),
    );
    assert.ok(result.ok);
    assert.equal(result.identity.id, 'u1');
    assert.equal(result.identity.name, 'Ann');
    assert.deepEqual([...result.identity.privileges], ['cobrowse:control']);
    assert.equal(result.identity.expiresAt, T0 + 60_000);
  });

  it('refuses it once expired, by the injected clock', async () => {
    const token = await mint();
    const result = await at(T0 + 61_000).verify(token);
    assert.equal(!result.ok && result.message, 'the token has expired');
  });

  it('refuses everything when no key is configured', async () => {
    const verifier = createTokenVerifier({
      keys: { kind: 'none' },
      issuer: 'iss',
      audience: 'aud',
    });
    assert.equal((await verifier.verify(await mint())).ok, false);
  });

  it('refuses what is not a string or too long', async () => {
    for (const token of [undefined, 42, {}, '', 'x'.repeat(10_000)])
      assert.equal((await at(T0).verify(token)).ok, false);
  });

  it('reads privileges from an array or a space-separated string', () => {
    assert.deepEqual(
      [...parsePrivileges('cobrowse:monitor  cobrowse:supervise x')],
      ['cobrowse:monitor', 'cobrowse:supervise'],
    );
    assert.deepEqual([...parsePrivileges(['cobrowse:control', 3, null])], ['cobrowse:control']);
    assert.equal(parsePrivileges({ 'cobrowse:control': true }).size, 0);
  });
});
