import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteCssUrls } from './css-urls.ts';

describe('rewriteCssUrls', () => {
  const seen: string[] = [];
  const map = (url: string): string => {
    seen.push(url);
    return `/p/${seen.length}`;
  };
  it('finds url() in every quoting, @import strings, and decodes escapes', () => {
    seen.length = 0;
    const out = rewriteCssUrls(
      `@import "a.css"; @import url('b.css'); .x { background: url( c.png ) } .y { src: url("d\\"e.woff") } .z { mask: URL(\\66 .svg) }`,
      map,
    );
    assert.deepEqual(seen, ['b.css', 'c.png', 'd"e.woff', 'f.svg', 'a.css']);
    assert.equal(
      out,
      `@import "/p/5"; @import url("/p/1"); .x { background: url("/p/2") } .y { src: url("/p/3") } .z { mask: url("/p/4") }`,
    );
  });
  it('leaves identifiers that merely end in url alone', () => {
    assert.equal(
      rewriteCssUrls('.a { --myurl(x): 1 }', () => 'X'),
      '.a { --myurl(x): 1 }',
    );
  });
});
