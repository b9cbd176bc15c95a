import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSigner, parseProxyPath } from './signing.ts';

describe('signed resource URLs', () => {
  let clock = 1_000_000;
  const signer = createSigner({ key: Buffer.alloc(32, 7), ttlMs: 60_000, now: () => clock });
  const url = 'https://cdn.test/a.css?x=1';

  function verifyPath(path: string, sessionId?: string) {
    const parsed = parseProxyPath(path);
    assert.ok(parsed);
    return signer.verify(sessionId ?? parsed.sessionId, parsed.token);
  }

  it('round-trips a URL for its session', () => {
    const result = verifyPath(signer.sign('s1', url));
    assert.ok(result.ok);
    assert.equal(result.url, url);
  });
  it('gives the same URL for a while, so browsers can reuse it', () => {
    assert.equal(signer.sign('s1', url), signer.sign('s1', url));
  });
  it('refuses another session, a changed URL, another key, and expiry', () => {
    const path = signer.sign('s1', url);
    const parsed = parseProxyPath(path)!;
    assert.equal(verifyPath(path, 's2').ok === false && 'bad_token', 'bad_token');
    const [expiry, , mac] = parsed.token.split('.');
    const forged = `${expiry}.${Buffer.from('http://10.0.0.1/').toString('base64url')}.${mac}`;
    assert.deepEqual(signer.verify('s1', forged).ok, false);
    const other = createSigner({ key: Buffer.alloc(32, 8), ttlMs: 60_000, now: () => clock });
    assert.equal(other.verify('s1', parsed.token).ok, false);
    clock += 2 * 60_000;
    const expired = verifyPath(path);
    assert.equal(!expired.ok && expired.code, 'token_expired');
  });
  it('refuses malformed paths and tokens', () => {
    assert.equal(parseProxyPath('/proxy/r/abc'), null);
    assert.equal(parseProxyPath('/proxy/r/abc/x/y'), null);
    assert.equal(signer.verify('s1', 'garbage').ok, false);
    assert.equal(signer.verify('../x', 'a.b.c').ok, false);
  });
});
