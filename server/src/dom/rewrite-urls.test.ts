import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElementNode, PageSnapshot } from '../protocol/index.ts';
import { createSigner, parseProxyPath } from '../proxy/signing.ts';
import { createRewriteUrlsStep } from './rewrite-urls.ts';

const signer = createSigner({ key: Buffer.alloc(32, 1), ttlMs: 3_600_000, now: () => 0 });
const ctx = { sessionId: 'sess1' };

/** The upstream URL a rewritten value names, or the value itself when it was left alone. */
function target(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const [path, hash] = value.split('#');
  const parsed = parseProxyPath(path ?? '');
  if (!parsed) return value;
  const verified = signer.verify(parsed.sessionId, parsed.token);
  assert.ok(verified.ok);
  assert.equal(parsed.sessionId, 'sess1');
  return verified.url + (hash === undefined ? '' : `#${hash}`);
}

const el = (
  id: number,
  tag: string,
  attrs: Record<string, string>,
  extra: Partial<ElementNode> = {},
): ElementNode => ({
  type: 'element',
  id,
  tag,
  attrs,
  children: [],
  ...extra,
});

function page(children: ElementNode[]): PageSnapshot {
  return {
    seq: 1,
    url: 'https://shop.test/cart/',
    title: 't',
    viewport: { width: 800, height: 600 },
    doc: { type: 'document', id: 1, children: [el(2, 'html', {}, { children })] },
  };
}

describe('rewriteUrls page step', () => {
  it('proxies resource attributes and CSS, and leaves links and fragments alone', () => {
    const step = createRewriteUrlsStep(signer);
    const out = step.snapshot(
      ctx,
      page([
        el(3, 'link', { rel: 'stylesheet', href: 'https://cdn.test/a.css' }),
        el(4, 'img', {
          src: 'https://cdn.test/i.png',
          srcset: 'https://cdn.test/i2.png 2x, https://cdn.test/i3.png 3x',
          alt: 'x',
        }),
        el(5, 'a', { href: 'https://shop.test/next' }),
        el(
          6,
          'style',
          {},
          {
            css: '@import "https://cdn.test/b.css"; .a { background: url(https://cdn.test/bg.png) }',
          },
        ),
        el(7, 'div', { style: 'background-image: url("relative.png")' }),
        el(8, 'video', { poster: 'https://cdn.test/p.jpg', src: 'https://cdn.test/v.mp4' }),
        el(9, 'use', { href: 'https://cdn.test/sprite.svg#icon' }, { ns: 'svg' }),
        el(10, 'use', { href: '#local' }, { ns: 'svg' }),
        el(11, 'img', { src: 'ftp://cdn.test/x.png' }),
        el(12, 'img', { src: 'data:image/png;base64,AAAA' }),
        el(13, 'iframe', { src: 'https://shop.test/frame.html' }),
        el(14, 'form', { action: 'https://shop.test/pay' }),
      ]),
    );
    const nodes = (out.doc.children[0] as ElementNode).children as ElementNode[];
    const attr = (i: number, name: string) => nodes[i]?.attrs[name];
    assert.equal(target(attr(0, 'href')), 'https://cdn.test/a.css');
    assert.equal(target(attr(1, 'src')), 'https://cdn.test/i.png');
    const srcset = attr(1, 'srcset')!
      .split(', ')
      .map((c) => c.split(' '));
    assert.deepEqual(
      srcset.map(([u, d]) => [target(u), d]),
      [
        ['https://cdn.test/i2.png', '2x'],
        ['https://cdn.test/i3.png', '3x'],
      ],
    );
    assert.equal(attr(1, 'alt'), 'x');
    assert.equal(attr(2, 'href'), 'https://shop.test/next');
    const css = nodes[3]!.css!;
    const urls = [...css.matchAll(/"([^"]+)"/g)].map((m) => target(m[1]));
    assert.deepEqual(urls, ['https://cdn.test/b.css', 'https://cdn.test/bg.png']);
    assert.equal(
      target(attr(4, 'style')!.match(/"([^"]+)"/)![1]),
      'https://shop.test/cart/relative.png',
    );
    assert.equal(target(attr(5, 'poster')), 'https://cdn.test/p.jpg');
    assert.equal(target(attr(6, 'href')), 'https://cdn.test/sprite.svg#icon');
    assert.equal(attr(7, 'href'), '#local');
    assert.equal(attr(8, 'src'), 'about:invalid');
    assert.equal(attr(9, 'src'), 'data:image/png;base64,AAAA');
    assert.equal(attr(10, 'src'), 'https://shop.test/frame.html');
    assert.equal(attr(11, 'action'), 'https://shop.test/pay');
    assert.ok(!JSON.stringify(out).includes('"https://cdn.test'), 'no direct resource URL remains');
  });

  it('rewrites batches using what the snapshot said about each element', () => {
    const step = createRewriteUrlsStep(signer);
    step.snapshot(ctx, page([el(3, 'img', {}), el(4, 'a', {}), el(5, 'style', {})]));
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [
        { op: 'attr', id: 3, name: 'src', value: 'https://cdn.test/new.png' },
        { op: 'attr', id: 4, name: 'href', value: 'https://shop.test/x' },
        { op: 'attr', id: 3, name: 'src', value: null },
        { op: 'css', id: 5, css: '.x { background: url(https://cdn.test/c.png) }' },
        {
          op: 'add',
          parent: 2,
          before: null,
          node: el(20, 'link', { rel: 'icon', href: 'https://cdn.test/f.ico' }),
        },
        { op: 'attr', id: 20, name: 'href', value: 'https://cdn.test/g.ico' },
        { op: 'attr', id: 99, name: 'src', value: 'https://cdn.test/unknown.png' },
        { op: 'text', id: 4, text: 'url(https://cdn.test/not-css)' },
      ],
    });
    const [a, b, c, d, e, f, g, h] = out.ops;
    assert.equal(a?.op === 'attr' && target(a.value ?? ''), 'https://cdn.test/new.png');
    assert.equal(b?.op === 'attr' && b.value, 'https://shop.test/x');
    assert.equal(c?.op === 'attr' && c.value, null);
    assert.equal(d?.op === 'css' && target(d.css.match(/"([^"]+)"/)![1]), 'https://cdn.test/c.png');
    assert.equal(
      e?.op === 'add' && e.node.type === 'element' && target(e.node.attrs.href),
      'https://cdn.test/f.ico',
    );
    assert.equal(f?.op === 'attr' && target(f.value ?? ''), 'https://cdn.test/g.ico');
    assert.equal(g?.op === 'attr' && target(g.value ?? ''), 'https://cdn.test/unknown.png');
    assert.equal(h?.op === 'text' && h.text, 'url(https://cdn.test/not-css)');
  });

  it('proxies the URLs of adopted sheets and script-loaded font faces', () => {
    const step = createRewriteUrlsStep(signer);
    step.snapshot(ctx, page([el(3, 'todo-app', {})]));
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [
        {
          op: 'sheets',
          id: 3,
          sheets: [
            '.x { background: url(https://cdn.test/s.png) }',
            '@font-face { font-family: "F"; src: url(https://cdn.test/f.woff2); }',
          ],
        },
      ],
    });
    const [op] = out.ops;
    assert.ok(op?.op === 'sheets');
    const urls = op.sheets.map((css) => target(css.match(/url\("?([^")]+)"?\)/)?.[1]));
    assert.deepEqual(urls, ['https://cdn.test/s.png', 'https://cdn.test/f.woff2']);
  });

  it('forgets a session', () => {
    const step = createRewriteUrlsStep(signer);
    step.snapshot(ctx, page([el(3, 'a', {})]));
    step.forget?.('sess1');
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [{ op: 'attr', id: 3, name: 'href', value: 'https://x.test/' }],
    });
    // Unknown again: an href is treated as a resource, the safe side.
    assert.notEqual(out.ops[0]?.op === 'attr' && out.ops[0].value, 'https://x.test/');
  });
});
