import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DocumentNode, ElementNode, SerializedNode } from './dom.ts';
import { PackedTreeWriter, packTree } from './packed-tree.ts';
import { parseSnapshot, type InflateRaw } from './validate.ts';

const inflateRaw: InflateRaw = (data, maxBytes) =>
  inflateRawSync(data, { maxOutputLength: maxBytes });

const head = {
  seq: 3,
  url: 'https://shop.test/',
  title: 'Shop',
  viewport: { width: 9, height: 9 },
};

/** What the validator makes of a packed tree (as the snippet sends it: deflated bytes). */
function unpacked(text: string, maxNodes?: number) {
  const tree = deflateRawSync(Buffer.from(text));
  return parseSnapshot({ ...head, tree, compression: 'deflate-raw' }, maxNodes, inflateRaw);
}

function roundTrip(doc: DocumentNode): unknown {
  const result = unpacked(packTree(doc));
  assert.ok(result.ok, !result.ok ? result.message : '');
  return JSON.parse(JSON.stringify(result.value.doc));
}

const el = (id: number, tag: string, rest: Partial<ElementNode> = {}): ElementNode => ({
  type: 'element',
  id,
  tag,
  attrs: {},
  children: [],
  ...rest,
});
const text = (id: number, value: string): SerializedNode => ({ type: 'text', id, text: value });

/** Every field a node can carry, ids out of order where a changed page has them. */
const everything: DocumentNode = {
  type: 'document',
  id: 1,
  scroll: { x: 0, y: 40 },
  children: [
    el(2, 'html', {
      attrs: { lang: 'en' },
      children: [
        el(3, 'head', {
          children: [el(4, 'style', { css: 'b { color: red }' }), el(5, 'title')],
        }),
        el(6, 'body', {
          attrs: { class: 'a "quoted" </script>' },
          children: [
            text(7, 'hi ☃ \u2028 "x"'),
            el(90, 'input', { attrs: { type: 'text' }, value: 'v', scroll: { x: 1, y: 2 } }),
            el(91, 'input', { attrs: { type: 'checkbox' }, checked: false }),
            el(8, 'svg', { ns: 'svg', attrs: { viewBox: '0 0 1 1' }, children: [el(9, 'path')] }),
            el(10, 'canvas', { canvas: 'data:image/png;base64,AAAA' }),
            el(11, 'select', { children: [el(12, 'option', { selected: true })] }),
            el(13, 'iframe', {
              frame: { type: 'document', id: 14, children: [el(20, 'html')] },
              children: [],
            }),
            el(15, 'my-widget', {
              shadow: [text(16, 's'), el(17, 'slot')],
              frame: undefined,
              children: [text(18, 'light')],
            }),
            el(19, 'x-both', {
              value: 'w',
              shadow: [text(30, 'in')],
              frame: { type: 'document', id: 31, scroll: { x: 0, y: 1 }, children: [] },
            }),
            text(100, ''),
          ],
        }),
      ],
    }),
  ],
};

/** A random tree from a seed: shapes, fields and id jumps the fixed cases might miss. */
function randomTree(seed: number): DocumentNode {
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  let nextId = 1;
  const id = (): number => (random() < 0.1 ? (nextId += Math.floor(random() * 50) + 2) : nextId++);
  const node = (depth: number): SerializedNode => {
    if (depth > 5 || random() < 0.3) return text(id(), random() < 0.5 ? 'w' : `"${random()}"\n`);
    const element = el(id(), random() < 0.5 ? 'div' : 'x-y');
    if (random() < 0.5) element.attrs = { class: String(random()), 'data-k': '' };
    if (random() < 0.2) element.value = 'v';
    if (random() < 0.1) element.checked = random() < 0.5;
    if (random() < 0.1) element.scroll = { x: 1.5, y: -2 };
    if (random() < 0.1) element.shadow = [node(depth + 1)];
    if (random() < 0.05)
      element.frame = { type: 'document', id: id(), children: [node(depth + 1)] };
    const count = Math.floor(random() * 4);
    for (let i = 0; i < count; i++) element.children.push(node(depth + 1));
    return element;
  };
  const doc: DocumentNode = { type: 'document', id: id(), children: [] };
  for (let i = 0; i < 3; i++) doc.children.push(node(0));
  return doc;
}

describe('packed tree', () => {
  it('gives back every field of every node, and the ids', () => {
    assert.deepEqual(roundTrip(everything), JSON.parse(JSON.stringify(everything)));
  });

  it('writes ids only where they do not follow on', () => {
    const page: DocumentNode = {
      type: 'document',
      id: 1,
      children: [
        el(2, 'ul', { children: [el(3, 'li', { children: [text(4, 'a')] }), text(9, 'b')] }),
      ],
    };
    assert.equal(packTree(page), '[["#document",["ul",["li","a"],9,"b"]]]');
    assert.equal(packTree({ ...page, id: 5 }).startsWith('[5,["#document"'), true);
  });

  it('gives back random trees whole', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const doc = randomTree(seed);
      assert.deepEqual(roundTrip(doc), JSON.parse(JSON.stringify(doc)), `seed ${seed}`);
    }
  });

  it('writes the same text in slices as in one go', () => {
    // Random trees side by side: some hundreds of nodes, shadow roots and frames among them.
    const doc: DocumentNode = { type: 'document', id: 1, children: [] };
    for (let seed = 1; seed <= 40; seed++) doc.children.push(...randomTree(seed).children);
    const writer = new PackedTreeWriter(doc);
    const pieces: string[] = [];
    // A clock that is always past the deadline: the writer stops after every few nodes.
    while (!writer.run(() => 1, 0)) pieces.push(writer.take());
    pieces.push(writer.take());
    assert.ok(pieces.length > 1);
    assert.equal(pieces.join(''), packTree(doc));
  });

  it('accepts the bytes uncompressed too', () => {
    const tree = new TextEncoder().encode(packTree(everything));
    const result = parseSnapshot({ ...head, tree, compression: 'none' });
    assert.ok(result.ok);
    assert.deepEqual(
      JSON.parse(JSON.stringify(result.value)),
      JSON.parse(JSON.stringify({ ...head, doc: everything })),
    );
  });

  it('refuses malformed packed trees with the path at fault', () => {
    const cases: Array<[string, string]> = [
      ['{}', 'snapshot.tree: expected an array'],
      ['[]', 'snapshot.tree: expected one document'],
      ['[["#document"],["#document"]]', 'snapshot.tree: expected one document'],
      ['[["html"]]', "snapshot.tree[0][0]: expected '#document'"],
      ['[["#document",3]]', 'snapshot.tree[0]: an id with no node after it'],
      ['[["#document",3,4,"x"]]', 'snapshot.tree[0][2]: two ids in a row'],
      ['[["#document",0,"x"]]', 'snapshot.tree[0][1]: outside 1..2147483647'],
      ['[["#document",1.5,"x"]]', 'snapshot.tree[0][1]: expected an integer'],
      ['[["#document",["#document"]]]', 'snapshot.tree[0][1][0]: not a valid tag name'],
      ['[["#document",["Script"]]]', 'snapshot.tree[0][1][0]: not a valid tag name'],
      ['[["#document",[1]]]', 'snapshot.tree[0][1][0]: expected a string'],
      ['[["#document",["a",{"href":1}]]]', 'snapshot.tree[0][1][1].href: expected a string'],
      [
        '[["#document",["a",{"x y":"1"}]]]',
        'snapshot.tree[0][1][1].x y: not a valid attribute name',
      ],
      ['[["#document",["a",{},{"onclick":"x"}]]]', 'snapshot.tree[0][1][2].onclick: unknown field'],
      [
        '[["#document",["a",{},{"ns":"html"}]]]',
        "snapshot.tree[0][1][2].ns: expected 'svg' or 'math'",
      ],
      [
        '[["#document",["a",{},{"frame":[]}]]]',
        'snapshot.tree[0][1][2].frame: expected one document',
      ],
      ['[["#document",null]]', 'snapshot.tree[0][1]: expected an array'],
      ['[["#document",{"title":"x"}]]', 'snapshot.tree[0][1].title: unknown field'],
      ['[2147483647,["#document","x"]]', 'snapshot.tree[1][1]: outside 1..2147483647'],
      ['[["#document"', 'snapshot.tree: not valid JSON'],
    ];
    for (const [packed, message] of cases) {
      const result = unpacked(packed);
      assert.deepEqual(
        !result.ok && [result.code, result.message],
        ['invalid_message', message],
        packed,
      );
    }
  });

  it('counts nodes and depth against the limits', () => {
    const many = `[["#document",${Array.from({ length: 200 }, () => '"t"').join(',')}]]`;
    const tooMany = unpacked(many, 100);
    assert.equal(!tooMany.ok && tooMany.code, 'payload_too_large');
    const deep = `[["#document",${'["div",'.repeat(600)}"x"${']'.repeat(600)}]]`;
    const tooDeep = unpacked(deep);
    assert.deepEqual(
      !tooDeep.ok && [tooDeep.code, tooDeep.message.endsWith('nested deeper than 512')],
      ['payload_too_large', true],
    );
  });

  it('refuses bad bytes: a deflate bomb, broken deflate, bad UTF-8, an unknown compression', () => {
    // 64 MB of spaces deflate to about 64 KB; the bound stops the inflating at 8 MB.
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        { tree: bomb, compression: 'deflate-raw' },
        'payload_too_large',
        'snapshot.tree: inflates beyond 8388608 bytes',
      ],
      [
        { tree: Buffer.from('not deflate at all'), compression: 'deflate-raw' },
        'invalid_message',
        'snapshot.tree: not valid deflate data',
      ],
      [
        { tree: Buffer.from([0x5b, 0xff, 0x5d]), compression: 'none' },
        'invalid_message',
        'snapshot.tree: not valid UTF-8',
      ],
      [
        { tree: Buffer.from('[]'), compression: 'gzip' },
        'invalid_message',
        "snapshot.compression: expected 'deflate-raw' or 'none'",
      ],
      [
        { tree: '[["#document"]]', compression: 'none' },
        'invalid_message',
        'snapshot.tree: expected binary data',
      ],
      [
        { tree: Buffer.alloc(9 * 1024 * 1024), compression: 'none' },
        'payload_too_large',
        'snapshot.tree: larger than 8388608 bytes',
      ],
      [
        { tree: Buffer.from('[]'), compression: 'none', doc: null },
        'invalid_message',
        'snapshot.tree: unknown field',
      ],
      [{ compression: 'none' }, 'invalid_message', 'snapshot.tree: expected binary data'],
    ];
    for (const [fields, code, message] of cases) {
      const result = parseSnapshot({ ...head, ...fields }, undefined, inflateRaw);
      assert.deepEqual(!result.ok && [result.code, result.message], [code, message]);
    }
    const noZlib = parseSnapshot({ ...head, tree: bomb, compression: 'deflate-raw' });
    assert.equal(!noZlib.ok && noZlib.message, 'snapshot.compression: not supported here');
  });
});
