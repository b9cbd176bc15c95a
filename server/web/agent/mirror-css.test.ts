import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteStateSelectors } from './mirror-css.ts';

describe('rewriteStateSelectors', () => {
  const cases: Array<[string, string]> = [
    ['a:hover { color: red }', 'a[data-tandem-hover] { color: red }'],
    ['input:focus { outline: 0 }', 'input[data-tandem-focus] { outline: 0 }'],
    [':focus-visible { outline: 2px solid }', '[data-tandem-focus-visible] { outline: 2px solid }'],
    ['form:focus-within .hint', 'form[data-tandem-focus-within] .hint'],
    ['li:HOVER .x:focus', 'li[data-tandem-hover] .x[data-tandem-focus]'],
    ['a:not(:hover)::after { }', 'a:not([data-tandem-hover])::after { }'],
    ['.card { &:hover { color: red } }', '.card { &[data-tandem-hover] { color: red } }'],
    // Not selectors: strings, comments, media features, longer names.
    ['a::after { content: ":hover" }', 'a::after { content: ":hover" }'],
    ["a::after { content: ':focus' }", "a::after { content: ':focus' }"],
    ['/* a:hover */ b { }', '/* a:hover */ b { }'],
    ['@media (hover: hover) { a:hover { } }', '@media (hover: hover) { a[data-tandem-hover] { } }'],
    ['@media (any-hover:none) { }', '@media (any-hover:none) { }'],
    ['a:hover-ish { }', 'a:hover-ish { }'],
    ['b { color: red }', 'b { color: red }'],
  ];
  for (const [css, expected] of cases) {
    it(`${css} → ${expected}`, () => assert.equal(rewriteStateSelectors(css), expected));
  }
});
