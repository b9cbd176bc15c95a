import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAllowedAttribute, isAllowedElement, isAllowedRemoval } from './policy.ts';

describe('the console policy', () => {
  const refused: Array<[string | null, string, string]> = [
    ['img', 'onerror', 'alert(1)'],
    ['div', 'ONCLICK', 'alert(1)'],
    [null, 'onload', 'alert(1)'],
    ['iframe', 'srcdoc', '<script>alert(1)</script>'],
    ['iframe', 'sandbox', 'allow-scripts'],
    ['iframe', 'SRC', 'https://evil.test/'],
    ['iframe', 'allow', 'camera'],
    ['iframe', 'csp', "script-src 'unsafe-inline'"],
    ['iframe', 'referrerpolicy', 'unsafe-url'],
    ['canvas', 'src', 'https://evil.test/x.png'],
    ['canvas', 'srcset', 'https://evil.test/x.png 1x'],
    ['img', 'data-tandem-canvas', ''],
    ['a', 'href', ' java\tscript:alert(1)'],
    [null, 'xlink:href', 'javascript:alert(1)'],
    ['img', 'srcset', 'javascript:alert(1)'],
    ['blockquote', 'cite', 'javascript:alert(1)'],
    ['table', 'background', ' JaVaScRiPt:alert(1)'],
    ['img', 'lowsrc', 'javascript:alert(1)'],
    ['img', 'longdesc', 'vbscript:msgbox(1)'],
    ['a', 'href', 'livescript:alert(1)'],
    ['a', 'x-unknown', 'javascript:alert(1)'],
    ['a', 'href', 'data:application/xhtml+xml,<x/>'],
  ];
  for (const [tag, name, value] of refused) {
    it(`refuses ${tag ?? 'svg'} ${name}=${JSON.stringify(value)}`, () => {
      assert.equal(isAllowedAttribute(tag, name, value), false);
    });
  }
  it('keeps ordinary attributes, and an image source outside a canvas stand-in', () => {
    assert.equal(isAllowedAttribute('img', 'src', '/proxy/r/s/t'), true);
    assert.equal(isAllowedAttribute('iframe', 'title', 'x'), true);
    assert.equal(isAllowedAttribute(null, 'href', '#icon'), true);
    // Text is text: a title may say anything.
    assert.equal(isAllowedAttribute('b', 'title', 'javascript:alert(2)'), true);
    assert.equal(isAllowedAttribute('b', 'aria-label', 'javascript:alert(2)'), true);
  });
  it('refuses removing what the console owns', () => {
    for (const name of ['sandbox', 'SANDBOX', 'src', 'csp', 'referrerpolicy', 'allow']) {
      assert.equal(isAllowedRemoval('iframe', name), false, name);
    }
    assert.equal(isAllowedRemoval('canvas', 'src'), false);
    assert.equal(isAllowedRemoval('img', 'data-tandem-canvas'), false);
    assert.equal(isAllowedRemoval('img', 'src'), true);
    assert.equal(isAllowedRemoval('iframe', 'title'), true);
  });
  it('refuses active elements', () => {
    for (const tag of ['script', 'object', 'embed', 'base', 'frame', 'portal']) {
      assert.equal(isAllowedElement(tag, {}), false, tag);
    }
    assert.equal(isAllowedElement('meta', { 'http-equiv': 'refresh' }), false);
    assert.equal(isAllowedElement('link', { rel: 'prefetch' }), false);
    assert.equal(isAllowedElement('div', {}), true);
  });
});
