import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteCss, type CssUrlKind } from './css-urls.ts';

/** Maps every URL to `/p/N` and records what it saw. */
function recorder(): {
  seen: Array<[string, CssUrlKind]>;
  map: (u: string, k: CssUrlKind) => string;
} {
  const seen: Array<[string, CssUrlKind]> = [];
  return {
    seen,
    map: (url, kind) => {
      seen.push([url, kind]);
      return `/p/${seen.length}`;
    },
  };
}

describe('rewriteCss', () => {
  it('finds url() in every quoting, @import strings, and decodes escapes', () => {
    const { seen, map } = recorder();
    const out = rewriteCss(
      `@import "a.css"; @import url('b.css'); .x { background: url( c.png ) } .y { src: url("d\\"e.woff") } .z { mask: URL(\\66 .svg) }`,
      map,
    );
    assert.deepEqual(seen, [
      ['a.css', 'import'],
      ['b.css', 'url'],
      ['c.png', 'url'],
      ['d"e.woff', 'url'],
      ['f.svg', 'url'],
    ]);
    assert.equal(
      out,
      `@import "/p/1"; @import url("/p/2"); .x { background: url("/p/3") } .y { src: url("/p/4") } .z { mask: url("/p/5") }`,
    );
  });

  const found: Array<[string, string, Array<[string, CssUrlKind]>]> = [
    [
      '@import without a space',
      `@import'http://evil.test/x.css';`,
      [['http://evil.test/x.css', 'import']],
    ],
    [
      '@import after a comment',
      `@import/**/"http://evil.test/x.css";`,
      [['http://evil.test/x.css', 'import']],
    ],
    [
      'an escaped @import',
      `@im\\port 'http://evil.test/x.css';`,
      [['http://evil.test/x.css', 'import']],
    ],
    [
      'a hex-escaped @import',
      `@\\69mport "http://evil.test/x.css";`,
      [['http://evil.test/x.css', 'import']],
    ],
    ['an escaped url(', `a{b:u\\72l(http://evil.test/x.png)}`, [['http://evil.test/x.png', 'url']]],
    [
      'an escaped quoted url(',
      `a{b:\\75rl("http://evil.test/x.png")}`,
      [['http://evil.test/x.png', 'url']],
    ],
    [
      'url( with a comment-like body',
      `a{b:url(/*x*/http://evil.test/x.png)}`,
      [['/*x*/http://evil.test/x.png', 'url']],
    ],
    [
      'escapes inside the URL',
      `a{b:url(http\\3a //evil.test/x.png)}`,
      [['http://evil.test/x.png', 'url']],
    ],
    [
      'a newline escape in a string',
      `a{b:url("http://evil.\\\ntest/x.png")}`,
      [['http://evil.test/x.png', 'url']],
    ],
    [
      'image-set strings and urls',
      `a{b:image-set("http://evil.test/1.png" 1x, url(http://evil.test/2.png) 2x)}`,
      [
        ['http://evil.test/1.png', 'image'],
        ['http://evil.test/2.png', 'url'],
      ],
    ],
    [
      '-webkit-image-set',
      `a{b:-webkit-image-set('http://evil.test/1.png' 1x)}`,
      [['http://evil.test/1.png', 'image']],
    ],
    [
      'an escaped image-set',
      `a{b:im\\61ge-set("http://evil.test/1.png" 1x)}`,
      [['http://evil.test/1.png', 'image']],
    ],
    [
      'nested functions',
      `a{b:cross-fade(image-set("http://evil.test/1.png" 1x), url(http://evil.test/2.png))}`,
      [
        ['http://evil.test/1.png', 'image'],
        ['http://evil.test/2.png', 'url'],
      ],
    ],
    [
      '@font-face src',
      `@font-face{font-family:x;src:local("X"),url(http://evil.test/f.woff) format("woff"),src("http://evil.test/g.woff")}`,
      [
        ['http://evil.test/f.woff', 'url'],
        ['http://evil.test/g.woff', 'url'],
      ],
    ],
    [
      'CR and form feed as whitespace',
      `a{b:url(\r\fhttp://evil.test/x.png\r\n)}`,
      [['http://evil.test/x.png', 'url']],
    ],
    [
      'a url in a custom property',
      `a{--x:url(http://evil.test/x.png)}`,
      [['http://evil.test/x.png', 'url']],
    ],
  ];
  for (const [what, css, expected] of found) {
    it(`finds the URL: ${what}`, () => {
      const { seen, map } = recorder();
      assert.notEqual(rewriteCss(css, map), null);
      assert.deepEqual(seen, expected);
    });
  }

  const unparseable = [
    `a{b:url("http://evil.test/x.png}`,
    `a{content:"open`,
    `a{content:"line\nbreak"}`,
    `a{b:url(http://evil.test/x.png`,
    `a{b:url(http://evil.test/x y.png)}`,
    `a{b:url(http://evil.test/"x.png)}`,
    `a{b:url("a" "b")}`,
    `a{b:url("a" x)}`,
    `/* never closed`,
    `a{b:url(\\`,
  ];
  for (const css of unparseable) {
    it(`drops what it cannot parse: ${JSON.stringify(css)}`, () => {
      assert.equal(
        rewriteCss(css, (u) => u),
        null,
      );
    });
  }

  it('removes what the mapper refuses', () => {
    const out = rewriteCss(
      `@import "evil.css"; a{b:url(javascript:x);c:image-set("javascript:y" 1x)} @import url(evil.css);d{}`,
      () => null,
    );
    assert.equal(out, ` a{b:none ;c:image-set(none  1x)} @import none ;d{}`);
  });

  it('renames legacy script bindings and leaves identifiers that merely end in url alone', () => {
    assert.equal(
      rewriteCss(
        'a{behavior:url(x.htc);-moz-binding :url(y);width:expression(alert(1));--myurl:1}',
        (u) => u,
      ),
      'a{--tandem-removed:url(x.htc);--tandem-removed :url(y);width:--tandem-removed(alert(1));--myurl:1}',
    );
  });

  it('copies ordinary CSS as written', () => {
    const css =
      'a > b:hover::after { content: "\\201C"; color: #fff; margin: -1.5e2px 10% } @media (min-width: 1px) { x { y: z } }';
    assert.equal(
      rewriteCss(css, (u) => u),
      css,
    );
  });
});
