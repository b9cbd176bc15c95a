import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  matchesSelector,
  parseSelector,
  testedAttributeNames,
  type SelectorTarget,
} from './selector.ts';

/** A tiny element chain for the engine: `el('input', {type: 'password'}, parent)`. */
function el(
  tag: string,
  attrs: Record<string, string> = {},
  parent: SelectorTarget | null = null,
): SelectorTarget {
  return {
    tag,
    attribute: (name) => attrs[name],
    selectorParent: () => parent,
  };
}

function matches(selector: string, target: SelectorTarget): boolean {
  const parsed = parseSelector(selector);
  assert.ok(parsed.ok, `${selector} parses`);
  return matchesSelector(target, parsed.selector);
}

describe('selector engine', () => {
  const form = el('form', { id: 'pay', class: 'checkout  secure' });
  const div = el('div', { class: 'row' }, form);
  const input = el(
    'input',
    { type: 'Password', name: 'card-number', autocomplete: 'section-a cc-number' },
    div,
  );

  const cases: Array<[string, SelectorTarget, boolean]> = [
    ['input', input, true],
    ['INPUT', input, true],
    ['*', input, true],
    ['#pay', form, true],
    ['#pay', div, false],
    ['.secure', form, true],
    ['.checkout.secure', form, true],
    ['.check', form, false],
    ['[type]', input, true],
    ['[type=password]', input, false],
    ['[type="password" i]', input, true],
    ['[autocomplete~="cc-number" i]', input, true],
    ['[autocomplete~="cc"]', input, false],
    ['[name^=card]', input, true],
    ['[name$="-number"]', input, true],
    ['[name*="d-n"]', input, true],
    ['[name|=card]', input, true],
    ['form input', input, true],
    ['#pay > input', input, false],
    ['#pay > .row > input', input, true],
    ['.secure .row input[type=password i]', input, true],
    ['table input', input, false],
    ['p, input', input, true],
    ['form\\ input', input, false],
  ];
  for (const [selector, target, expected] of cases) {
    it(`${selector} ${expected ? 'matches' : 'does not match'} ${target.tag}`, () => {
      assert.equal(matches(selector, target), expected);
    });
  }

  it('stops at a boundary (a parent of null)', () => {
    const host = el('section', { class: 'secret' });
    const inShadow = el('span', {}, null); // The shadow root hides its host from combinators.
    assert.equal(matches('.secret span', inShadow), false);
    assert.equal(matches('.secret', host), true);
  });

  it('names the attributes a list tests, and no others', () => {
    const parsed = parseSelector('#a, div.b > [Data-X~="y" i], input[type="password" i]');
    assert.ok(parsed.ok);
    assert.deepEqual([...testedAttributeNames(parsed.selector)].sort(), [
      'class',
      'data-x',
      'id',
      'type',
    ]);
    const plain = parseSelector('[data-tandem-mask], input');
    assert.ok(plain.ok);
    assert.deepEqual([...testedAttributeNames(plain.selector)], ['data-tandem-mask']);
  });

  for (const unsupported of [
    'a:hover',
    'a + b',
    'a ~ b',
    'svg|rect',
    '',
    '[x',
    '[x="y]',
    'a >',
    'a b c d e f g',
  ]) {
    it(`refuses ${JSON.stringify(unsupported)}`, () => {
      assert.equal(parseSelector(unsupported).ok, false);
    });
  }
});
