import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CODE_ALPHABET,
  codesMatch,
  formatCode,
  generateCode,
  generateToken,
  hashToken,
  normalizeCode,
  tokenMatches,
} from './session-codes.ts';

describe('session codes', () => {
  it('draws every character from the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode(8);
      assert.equal(code.length, 8);
      for (const ch of code) assert.ok(CODE_ALPHABET.includes(ch), ch);
    }
  });

  it('maps random bytes without bias (each letter equally often over all byte values)', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const code = generateCode(256, () => bytes);
    const counts = new Map<string, number>();
    for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    assert.equal(counts.size, 32);
    for (const n of counts.values()) assert.equal(n, 8);
  });

  it('accepts what people type and refuses what cannot be a code', () => {
    assert.equal(normalizeCode('abcd-efgh', 8), 'ABCDEFGH');
    assert.equal(normalizeCode(' ABCD EFGH ', 8), 'ABCDEFGH');
    assert.equal(normalizeCode('ABCD-EFG', 8), null);
    assert.equal(normalizeCode('ABCD-EFG0', 8), null);
    assert.equal(formatCode('ABCDEFGH'), 'ABCD-EFGH');
  });

  it('compares codes exactly', () => {
    assert.equal(codesMatch('ABCDEFGH', 'ABCDEFGH'), true);
    assert.equal(codesMatch('ABCDEFGH', 'ABCDEFGJ'), false);
    assert.equal(codesMatch('ABCDEFGH', 'ABCDEFG'), false);
    assert.equal(codesMatch('', ''), true);
  });

  it('checks resume tokens against their hash only', () => {
    const token = generateToken();
    const hash = hashToken(token);
    assert.notEqual(hash, token);
    assert.equal(tokenMatches(token, hash), true);
    assert.equal(tokenMatches(generateToken(), hash), false);
    assert.equal(tokenMatches('', hash), false);
  });
});
