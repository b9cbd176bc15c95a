import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDomainAllowlist, isValidDomainPattern } from './allowlist.ts';

describe('allowedExternalDomains', () => {
  const list = createDomainAllowlist(['cdn.example.com', '*.fonts.test', 'IMG.Example.org.']);
  const cases: Array<[string, string | null, boolean]> = [
    ['cdn.example.com', null, true],
    ['CDN.EXAMPLE.COM.', null, true],
    ['a.fonts.test', null, true],
    ['a.b.fonts.test', null, true],
    ['fonts.test', null, false],
    ['evilfonts.test', null, false],
    ['img.example.org', null, true],
    ['example.com', null, false],
    ['cdn.example.com.evil.test', null, false],
    ['shop.test', 'shop.test', true],
    ['other.test', 'shop.test', false],
    ['', null, false],
  ];
  for (const [host, page, expected] of cases) {
    it(`${expected ? 'allows' : 'refuses'} ${host || '(empty)'}${page ? ` for ${page}` : ''}`, () => {
      assert.equal(list.allows(host, page), expected);
    });
  }
  it('validates patterns', () => {
    assert.equal(isValidDomainPattern('*.example.com'), true);
    assert.equal(isValidDomainPattern('*'), false);
    assert.equal(isValidDomainPattern('a*.example.com'), false);
    assert.equal(isValidDomainPattern('http://x.com'), false);
  });
});
