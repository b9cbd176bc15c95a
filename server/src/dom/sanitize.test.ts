import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElementNode, MutationOp, PageSnapshot, SerializedNode } from '../protocol/index.ts';
import { element, pageSnapshot } from '../../../test/support/pages.ts';
import { SanitizeStep } from './sanitize.ts';
import { sanitizeAttribute } from './sanitize-node.ts';
import { sanitizeCss, sanitizeUrl } from './sanitize-values.ts';

const BASE = 'https://shop.test/checkout/';
const ctx = { sessionId: 's1' };

const page = (body: SerializedNode[]): PageSnapshot => pageSnapshot(1, body, { url: BASE });

function body(snapshot: PageSnapshot): SerializedNode[] {
  const html = snapshot.doc.children[0] as ElementNode;
  return (html.children[0] as ElementNode).children;
}

describe('sanitizeUrl', () => {
  const cases: Array<[string, 'link' | 'image', string | null]> = [
    ['https://a.test/x', 'link', 'https://a.test/x'],
    ['mailto:a@b.test', 'link', 'mailto:a@b.test'],
    ['#top', 'link', '#top'],
    ['img.png', 'image', 'https://shop.test/checkout/img.png'],
    ['//evil.test/x', 'link', 'https://evil.test/x'],
    ['javascript:alert(1)', 'link', null],
    [' JaVaScRiPt:alert(1)', 'link', null],
    ['java\tscript:alert(1)', 'link', null],
    ['java\nscript:alert(1)', 'link', null],
    ['\u0001javascript:alert(1)', 'link', null],
    ['vbscript:msgbox(1)', 'link', null],
    ['data:text/html,<script>alert(1)</script>', 'link', null],
    ['data:image/png;base64,AAAA', 'link', null],
    ['data:image/png;base64,AAAA', 'image', 'data:image/png;base64,AAAA'],
    ['data:image/svg+xml,<svg onload=alert(1)>', 'image', null],
    ['blob:https://a.test/1', 'image', null],
    ['file:///etc/passwd', 'link', null],
    ['\\\\evil\\x', 'link', null],
    ['', 'link', null],
  ];
  for (const [input, kind, expected] of cases) {
    it(`${JSON.stringify(input)} as ${kind} → ${JSON.stringify(expected)}`, () => {
      assert.equal(sanitizeUrl(input, kind, BASE), expected);
    });
  }
});

describe('sanitizeCss', () => {
  it('keeps ordinary CSS untouched', () => {
    const css =
      'a { color: red; background: url("https://a.test/i.png") } .x::after { content: "\\201C" }';
    assert.equal(sanitizeCss(css), css);
  });
  const bad = [
    'width: expression(alert(1))',
    'width: expr/**/ession(alert(1))',
    'background: url(javascript:alert(1))',
    'background: url("java\\73 cript:alert(1)")',
    'behavior: url(x.htc)',
    '-moz-binding: url("http://a.test/xbl#x")',
    '@import "javascript:alert(1)";',
    'background: url(data:text/html,<script>alert(1)</script>)',
    'background-image: \\75 rl(javascript:alert(1))',
  ];
  for (const css of bad) {
    it(`neutralizes ${JSON.stringify(css)}`, () => {
      const out = sanitizeCss(css);
      if (out === null) return;
      assert.doesNotMatch(out, /javascript:|expression\(|-moz-binding|behavior:|text\/html/i);
    });
  }
  it('keeps data: images and fonts in CSS', () => {
    const css =
      'a{background:url(data:image/svg+xml;base64,AA==)} @font-face{src:url(data:font/woff2;base64,AA==)}';
    assert.equal(sanitizeCss(css), css);
  });
});

describe('sanitizeAttribute', () => {
  const cases: Array<[string, string, string, string | null]> = [
    ['html:a', 'onclick', 'alert(1)', null],
    ['html:a', 'ONCLICK', 'alert(1)', null],
    ['html:a', 'href', 'javascript:alert(1)', null],
    ['html:a', 'target', '_blank', null],
    ['html:iframe', 'src', 'https://a.test/', null],
    ['html:iframe', 'srcdoc', '<script>alert(1)</script>', null],
    ['html:form', 'action', 'https://evil.test/', null],
    ['html:button', 'formaction', 'https://evil.test/', null],
    ['html:meta', 'http-equiv', 'refresh', null],
    ['html:div', 'data-x', '1', '1'],
    ['html:div', 'aria-label', 'Hi', 'Hi'],
    ['html:div', 'style', 'color: red', 'color: red'],
    ['html:div', 'is', 'x-evil', null],
    ['svg:use', 'href', 'https://evil.test/x.svg#a', null],
    ['svg:use', 'href', '#icon', '#icon'],
    ['svg:a', 'xlink:href', 'javascript:alert(1)', null],
    ['svg:rect', 'fill', 'url(#grad)', 'url(#grad)'],
    ['math:mi', 'href', 'javascript:alert(1)', null],
    ['html:img', 'src', 'data:image/gif;base64,R0lG', 'data:image/gif;base64,R0lG'],
    ['html:a', 'href', 'data:image/gif;base64,R0lG', null],
    // Presentational attributes: dropping them changes the layout (a frame's 2 px border).
    ['html:iframe', 'frameborder', '0', '0'],
    ['html:iframe', 'scrolling', 'no', 'no'],
    ['html:iframe', 'marginwidth', '0', '0'],
    ['html:img', 'hspace', '4', '4'],
    ['html:table', 'rules', 'all', 'all'],
    ['html:table', 'frame', 'box', 'box'],
    ['html:hr', 'noshade', '', ''],
    ['html:body', 'link', '#00f', '#00f'],
    ['html:div', 'part', 'label', 'label'],
    // A custom element's own attributes are inert in the console and styled by the page.
    ['html:todo-item', 'done', '', ''],
    ['html:todo-item', 'onclick', 'alert(1)', null],
    ['html:todo-item', 'xlink:href', 'javascript:alert(1)', null],
    ['html:todo-item', 'src', 'javascript:alert(1)', null],
    ['html:todo-item', 'srcdoc', '<script>alert(1)</script>', null],
    ['html:todo-item', 'formaction', 'https://evil.test/', null],
    ['html:div', 'done', '', null],
  ];
  for (const [kind, name, value, expected] of cases) {
    it(`${kind} ${name}=${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(sanitizeAttribute(kind, name, value, BASE), expected);
    });
  }
});

it('neutralizes script URLs in SVG presentation attributes', () => {
  const out = sanitizeAttribute('svg:rect', 'fill', 'url(javascript:alert(1))', BASE);
  assert.ok(out === null || !/javascript/i.test(out), String(out));
});

describe('SanitizeStep', () => {
  it('drops active elements with their subtree, renames unknown ones, keeps custom elements', () => {
    const step = new SanitizeStep();
    const out = step.snapshot(
      ctx,
      page([
        element(10, 'script', {}, [{ type: 'text', id: 11, text: 'alert(1)' }]),
        element(12, 'object', { data: 'x.swf' }),
        element(13, 'embed', { src: 'x.swf' }),
        element(14, 'base', { href: 'https://evil.test/' }),
        element(15, 'noscript', {}, [element(16, 'img', { src: 'x', onerror: 'alert(1)' })]),
        element(17, 'frameset'),
        element(18, 'blink-box', { class: 'ok' }),
        element(19, 'foo', {}, [{ type: 'text', id: 20, text: 'kept' }]),
        element(21, 'link', { rel: 'import', href: 'https://a.test/x.html' }),
        element(22, 'link', { rel: 'stylesheet', href: 'https://a.test/x.css' }),
        element(23, 'svg', {}, [element(24, 'script', {}, [], { ns: 'svg' })], { ns: 'svg' }),
        element(25, 'math', {}, [element(26, 'annotation-xml', {}, [], { ns: 'math' })], {
          ns: 'math',
        }),
        element(27, 'svg', {}, [element(28, 'foreignobject', {}, [], { ns: 'svg' })], {
          ns: 'svg',
        }),
        element(29, 'svg', {}, [element(30, 'set', { attributename: 'href' }, [], { ns: 'svg' })], {
          ns: 'svg',
        }),
      ]),
    );
    const kept = body(out) as ElementNode[];
    assert.deepEqual(
      kept.map((n) => n.tag),
      ['blink-box', 'span', 'link', 'svg', 'math', 'svg', 'svg'],
    );
    assert.deepEqual(
      kept.slice(3).map((n) => n.children.length),
      [0, 0, 0, 0],
    );
  });

  it('empties a <style> of text nodes and sanitizes its CSS', () => {
    const step = new SanitizeStep();
    const out = step.snapshot(
      ctx,
      page([
        element(10, 'style', {}, [{ type: 'text', id: 11, text: 'x{}' }], {
          css: 'a{background:url(javascript:alert(1))}',
        }),
      ]),
    );
    const style = body(out)[0] as ElementNode;
    assert.deepEqual(style.children, []);
    assert.doesNotMatch(style.css ?? '', /javascript/);
  });

  it('drops operations on removed or unknown nodes and judges each by its target', () => {
    const step = new SanitizeStep();
    step.snapshot(
      ctx,
      page([
        element(10, 'script', {}, [{ type: 'text', id: 11, text: 'x' }]),
        element(12, 'style', {}, [], { css: '' }),
        element(13, 'div', {}, [{ type: 'text', id: 14, text: 'hi' }]),
        element(15, 'canvas'),
        element(16, 'iframe', {}, [], {
          frame: { type: 'document', id: 17, children: [element(18, 'html')] },
        }),
      ]),
    );
    const ops: MutationOp[] = [
      { op: 'add', parent: 10, before: null, node: { type: 'text', id: 30, text: 'alert(1)' } },
      { op: 'text', id: 11, text: 'alert(2)' },
      { op: 'add', parent: 12, before: null, node: { type: 'text', id: 31, text: '*{}' } },
      { op: 'attr', id: 99, name: 'class', value: 'x' },
      { op: 'attr', id: 13, name: 'onclick', value: 'alert(1)' },
      { op: 'attr', id: 13, name: 'style', value: 'background:url(javascript:alert(1))' },
      { op: 'css', id: 13, css: 'a{}' },
      { op: 'canvas', id: 15, data: 'data:text/html,<script>' },
      { op: 'canvas', id: 15, data: 'data:image/png;base64,iVBORw0KGgoAAAA' },
      { op: 'text', id: 14, text: 'hello' },
      {
        op: 'add',
        parent: 13,
        before: 14,
        node: element(32, 'img', { src: 'javascript:alert(1)', onerror: 'alert(1)' }),
      },
      { op: 'remove', id: 13 },
      { op: 'text', id: 14, text: 'after removal' },
      { op: 'frame', id: 16, doc: null },
      { op: 'attr', id: 18, name: 'class', value: 'gone' },
    ];
    const out = step.batch(ctx, { seq: 2, sentAt: 0, ops });
    assert.deepEqual(JSON.parse(JSON.stringify(out.ops)), [
      { op: 'attr', id: 13, name: 'onclick', value: null },
      // `url(javascript:alert(1))` is a bad URL token (a `(` inside): unparseable, dropped.
      { op: 'attr', id: 13, name: 'style', value: null },
      { op: 'canvas', id: 15, data: 'data:image/png;base64,iVBORw0KGgoAAAA' },
      { op: 'text', id: 14, text: 'hello' },
      {
        op: 'add',
        parent: 13,
        before: 14,
        node: { type: 'element', id: 32, tag: 'img', attrs: {}, children: [] },
      },
      { op: 'remove', id: 13 },
      { op: 'frame', id: 16, doc: null },
    ]);
  });

  it('refuses every operation on an attribute the console owns, and reports each', () => {
    const refused: unknown[] = [];
    const step = new SanitizeStep({ onRefused: (r) => refused.push(r) });
    const snapshot = step.snapshot(
      ctx,
      page([
        element(10, 'iframe', {
          sandbox: '',
          src: 'https://a.test/',
          referrerpolicy: 'unsafe-url',
        }),
        element(11, 'canvas', { src: 'https://evil.test/x.png', 'data-tandem-canvas': '' }),
        element(12, 'img', { src: 'https://a.test/i.png' }),
      ]),
    );
    // In a snapshot the page's own values of these attributes never arrive either.
    assert.deepEqual(
      body(snapshot).map((node) => ({ ...(node as ElementNode).attrs })),
      [{}, {}, { src: 'https://a.test/i.png' }],
    );
    const owned: MutationOp[] = [
      { op: 'attr', id: 10, name: 'sandbox', value: null },
      { op: 'attr', id: 10, name: 'SANDBOX', value: 'allow-scripts allow-same-origin' },
      { op: 'attr', id: 10, name: 'src', value: 'https://evil.test/' },
      { op: 'attr', id: 10, name: 'src', value: null },
      { op: 'attr', id: 10, name: 'srcdoc', value: '<script>alert(1)</script>' },
      { op: 'attr', id: 10, name: 'allow', value: 'camera' },
      { op: 'attr', id: 10, name: 'csp', value: "script-src 'unsafe-inline'" },
      { op: 'attr', id: 10, name: 'referrerpolicy', value: 'unsafe-url' },
      { op: 'attr', id: 11, name: 'src', value: 'https://evil.test/x.png' },
      { op: 'attr', id: 11, name: 'srcset', value: 'https://evil.test/x.png 1x' },
      { op: 'attr', id: 12, name: 'data-tandem-canvas', value: '' },
      { op: 'attr', id: 11, name: 'data-tandem-canvas', value: null },
    ];
    const kept: MutationOp[] = [
      { op: 'attr', id: 10, name: 'title', value: 'frame' },
      { op: 'attr', id: 12, name: 'src', value: 'https://a.test/j.png' },
      { op: 'attr', id: 12, name: 'src', value: null },
    ];
    const out = step.batch(ctx, { seq: 2, sentAt: 0, ops: [...owned, ...kept] });
    assert.deepEqual(out.ops, kept);
    assert.equal(refused.length, owned.length);
    assert.deepEqual(refused[0], {
      sessionId: 's1',
      reason: 'owned_attribute',
      op: 'attr',
      name: 'sandbox',
    });
  });

  it('judges the state operations by the node they name', () => {
    const step = new SanitizeStep();
    step.snapshot(
      ctx,
      page([
        element(10, 'div', {}, [{ type: 'text', id: 11, text: 'hi' }]),
        element(12, 'dialog'),
        element(13, 'canvas'),
        element(14, 'video'),
      ]),
    );
    const png = 'data:image/png;base64,iVBORw0KGgoAAAA';
    const jpeg = 'data:image/jpeg;base64,/9j/4AAQ';
    const ops: MutationOp[] = [
      { op: 'sheets', id: 10, sheets: ['a{color:red}', 'b{background:url(javascript:x)}'] },
      { op: 'sheets', id: 11, sheets: ['a{}'] },
      { op: 'focus', id: 10, visible: true },
      { op: 'focus', id: 11, visible: true },
      { op: 'hover', id: 99 },
      {
        op: 'selection',
        id: 1,
        ranges: [
          { start: 11, startOffset: 0, end: 11, endOffset: 2 },
          { start: 99, startOffset: 0, end: 11, endOffset: 1 },
        ],
      },
      { op: 'selection', id: 10, ranges: [] },
      { op: 'layer', id: 12, layer: 'modal' },
      { op: 'layer', id: 10, layer: 'modal' },
      { op: 'layer', id: 10, layer: 'popover' },
      { op: 'canvas', id: 13, data: jpeg },
      { op: 'canvas', id: 13, data: 'data:image/png;base64,PHN2Zz4=' },
      { op: 'canvas', id: 14, data: jpeg },
      { op: 'canvas', id: 10, data: png },
    ];
    const out = step.batch(ctx, { seq: 2, sentAt: 0, ops });
    assert.deepEqual(JSON.parse(JSON.stringify(out.ops)), [
      { op: 'sheets', id: 10, sheets: ['a{color:red}', 'b{background:none }'] },
      { op: 'focus', id: 10, visible: true },
      { op: 'focus', id: null, visible: true },
      { op: 'hover', id: null },
      { op: 'selection', id: 1, ranges: [{ start: 11, startOffset: 0, end: 11, endOffset: 2 }] },
      { op: 'layer', id: 12, layer: 'modal' },
      { op: 'layer', id: 10, layer: 'popover' },
      { op: 'canvas', id: 14, data: jpeg },
    ]);
  });

  it('sends no operation before a snapshot', () => {
    const step = new SanitizeStep();
    const out = step.batch(ctx, { seq: 1, sentAt: 0, ops: [{ op: 'remove', id: 3 }] });
    assert.deepEqual(out.ops, []);
  });
});
