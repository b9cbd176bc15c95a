import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAllowedOrigin } from './origins.ts';

const allowed = ['https://shop.example.com', 'https://*.brand.test', 'http://localhost:3000'];

describe('origin allowlist', () => {
  const cases: Array<[string, boolean]> = [
    ['https://shop.example.com', true],
    ['https://SHOP.example.com', true],
    ['http://shop.example.com', false],
    ['https://shop.example.com:8443', false],
    ['https://evil-shop.example.com', false],
    ['https://shop.example.com.evil.test', false],
    ['https://a.brand.test', true],
    ['https://a.b.brand.test', true],
    ['https://brand.test', false],
    ['https://xbrand.test', false],
    ['http://localhost:3000', true],
    ['http://localhost:3001', false],
    ['null', false],
    ['', false],
    ['https://shop.example.com/path', false],
    ['javascript:alert(1)', false],
    ['https://self.test:8443', true],
  ];
  for (const [origin, expected] of cases) {
    it(`${expected ? 'allows' : 'refuses'} ${JSON.stringify(origin)}`, () => {
      assert.equal(isAllowedOrigin(origin, allowed, ['https://self.test:8443']), expected);
    });
  }
});
