import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesPausePage } from './pause-pages.ts';

describe('pause page patterns', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['https://shop.test/pay', ['/pay'], true],
    ['https://shop.test/pay?card=1#x', ['/pay'], true],
    ['https://shop.test/pay/now', ['/pay'], false],
    ['https://shop.test/pay/now', ['/pay*'], true],
    ['https://shop.test/account/orders/3', ['/account/*'], true],
    ['https://shop.test/ACCOUNT/x', ['/account/*'], true],
    ['https://shop.test/accounts', ['/account/*'], false],
    ['https://shop.test/a.html', ['/a?html'], false],
    ['https://shop.test/axhtml', ['/a.html'], false],
    ['https://bank.test/pay', ['https://shop.test/pay'], false],
    ['https://shop.test/pay', ['https://shop.test/*'], true],
    ['not a url', ['*'], false],
    ['https://shop.test/', [], false],
  ];
  for (const [url, patterns, expected] of cases) {
    it(`${url} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(patterns)}`, () => {
      assert.equal(matchesPausePage(url, patterns), expected);
    });
  }
});
