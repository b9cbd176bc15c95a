import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseBatch,
  parseJoinRequest,
  parsePointer,
  parseSnapshot,
  parseStartRequest,
} from './validate.ts';

const doc = {
  type: 'document',
  id: 1,
  children: [
    {
      type: 'element',
      id: 2,
      tag: 'html',
      attrs: { lang: 'en' },
      children: [
        {
          type: 'element',
          id: 3,
          tag: 'body',
          attrs: {},
          children: [
            { type: 'text', id: 4, text: 'hi' },
            {
              type: 'element',
              id: 5,
              tag: 'input',
              attrs: { type: 'text' },
              children: [],
              value: 'v',
              scroll: { x: 0, y: 3 },
            },
            {
              type: 'element',
              id: 6,
              tag: 'svg',
              ns: 'svg',
              attrs: { viewBox: '0 0 1 1' },
              children: [],
            },
            {
              type: 'element',
              id: 7,
              tag: 'iframe',
              attrs: {},
              children: [],
              frame: { type: 'document', id: 8, children: [] },
            },
            {
              type: 'element',
              id: 9,
              tag: 'my-widget',
              attrs: {},
              children: [],
              shadow: [{ type: 'text', id: 10, text: 's' }],
            },
          ],
        },
      ],
    },
  ],
};
const snapshot = {
  seq: 1,
  url: 'https://a.test/',
  title: 't',
  viewport: { width: 10, height: 10 },
  doc,
};

describe('protocol validators', () => {
  it('accepts a well-formed snapshot and returns the same tree', () => {
    const result = parseSnapshot(structuredClone(snapshot));
    assert.ok(result.ok);
    assert.deepEqual(JSON.parse(JSON.stringify(result.value)), snapshot);
  });

  const badSnapshots: Array<[string, (s: typeof snapshot) => unknown, string, string?]> = [
    ['missing seq', (s) => ({ ...s, seq: undefined }), 'snapshot.seq'],
    ['negative seq', (s) => ({ ...s, seq: -1 }), 'snapshot.seq'],
    ['unknown field', (s) => ({ ...s, extra: 1 }), 'snapshot.extra'],
    [
      'doc not a document',
      (s) => ({ ...s, doc: { ...s.doc, type: 'element' } }),
      'snapshot.doc.type',
    ],
    [
      'bad tag',
      (s) => ({
        ...s,
        doc: {
          ...s.doc,
          children: [{ type: 'element', id: 2, tag: 'a b', attrs: {}, children: [] }],
        },
      }),
      'snapshot.doc.children[0].tag',
    ],
    [
      'bad attribute name',
      (s) => ({
        ...s,
        doc: {
          ...s.doc,
          children: [{ type: 'element', id: 2, tag: 'a', attrs: { 'on"x': '1' }, children: [] }],
        },
      }),
      'snapshot.doc.children[0].attrs',
    ],
    [
      'attribute value not a string',
      (s) => ({
        ...s,
        doc: {
          ...s.doc,
          children: [{ type: 'element', id: 2, tag: 'a', attrs: { href: 1 }, children: [] }],
        },
      }),
      'snapshot.doc.children[0].attrs.href',
    ],
    ['node id zero', (s) => ({ ...s, doc: { ...s.doc, id: 0 } }), 'snapshot.doc.id'],
    [
      'bad namespace',
      (s) => ({
        ...s,
        doc: {
          ...s.doc,
          children: [{ type: 'element', id: 2, tag: 'a', ns: 'xul', attrs: {}, children: [] }],
        },
      }),
      'snapshot.doc.children[0].ns',
    ],
    [
      'text not a string',
      (s) => ({ ...s, doc: { ...s.doc, children: [{ type: 'text', id: 2, text: 5 }] } }),
      'snapshot.doc.children[0].text',
    ],
    [
      'viewport infinite',
      (s) => ({ ...s, viewport: { width: Infinity, height: 1 } }),
      'snapshot.viewport.width',
    ],
    ['array instead of object', () => [], 'snapshot'],
  ];
  for (const [name, mutate, path] of badSnapshots) {
    it(`refuses a snapshot with ${name}, naming ${path}`, () => {
      const result = parseSnapshot(mutate(structuredClone(snapshot)));
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.code, 'invalid_message');
        assert.ok(result.message.startsWith(path), result.message);
      }
    });
  }

  it('bounds the work: too many nodes or too deep is payload_too_large', () => {
    const many = {
      ...snapshot,
      doc: {
        type: 'document',
        id: 1,
        children: Array.from({ length: 200 }, (_, i) => ({ type: 'text', id: i + 2, text: '' })),
      },
    };
    const tooMany = parseSnapshot(many, 100);
    assert.equal(!tooMany.ok && tooMany.code, 'payload_too_large');
    let node: Record<string, unknown> = { type: 'text', id: 2, text: '' };
    for (let i = 0; i < 600; i++)
      node = { type: 'element', id: i + 3, tag: 'div', attrs: {}, children: [node] };
    const deep = parseSnapshot({ ...snapshot, doc: { type: 'document', id: 1, children: [node] } });
    assert.equal(!deep.ok && deep.code, 'payload_too_large');
  });

  it('never throws, whatever arrives', () => {
    const cyclic: Record<string, unknown> = { seq: 1 };
    cyclic.self = cyclic;
    for (const input of [
      undefined,
      null,
      0,
      'x',
      [],
      {},
      cyclic,
      { ops: null },
      { seq: 1, sentAt: 1, ops: [null] },
    ]) {
      assert.equal(parseSnapshot(input).ok, false);
      assert.equal(parseBatch(input).ok, false);
      assert.equal(parsePointer(input).ok, false);
      assert.equal(parseStartRequest(input).ok, false);
      assert.equal(parseJoinRequest(input).ok, false);
    }
  });

  it('takes a batch pointer of exactly two finite coordinates, and nothing else', () => {
    const base = { seq: 2, sentAt: 1, ops: [] };
    const ok = parseBatch({ ...base, pointer: { x: 12.5, y: -3 } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value.pointer, { x: 12.5, y: -3 });
    const none = parseBatch(base);
    assert.ok(none.ok);
    assert.equal('pointer' in none.value, false, 'no pointer key when none was sent');
    for (const pointer of [
      null,
      [1, 2],
      'x',
      { x: 1 },
      { x: 1, y: '2' },
      { x: Number.NaN, y: 0 },
      { x: 1e9, y: 0 },
      { x: 1, y: 2, target: 4 },
      JSON.parse('{"x":1,"y":2,"__proto__":{"polluted":true}}') as unknown,
    ]) {
      const result = parseBatch({ ...base, pointer });
      assert.equal(result.ok, false, JSON.stringify(pointer));
      assert.ok(!result.ok && result.message.startsWith('batch.pointer'), JSON.stringify(pointer));
    }
  });

  it('keeps an attribute named __proto__ as plain data', () => {
    const attrs = JSON.parse('{"__proto__": "x", "class": "a"}') as Record<string, string>;
    const result = parseSnapshot({
      ...snapshot,
      doc: {
        type: 'document',
        id: 1,
        children: [{ type: 'element', id: 2, tag: 'a', attrs, children: [] }],
      },
    });
    assert.ok(result.ok);
    const el = result.value.doc.children[0];
    assert.ok(el?.type === 'element');
    assert.equal(Object.getOwnPropertyDescriptor(el.attrs, '__proto__')?.value, 'x');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('accepts every mutation kind', () => {
    const ops = [
      { op: 'add', parent: 3, before: null, node: { type: 'text', id: 20, text: 'n' } },
      {
        op: 'add',
        parent: 3,
        before: 4,
        node: { type: 'element', id: 21, tag: 'li', attrs: {}, children: [] },
        shadow: false,
      },
      { op: 'remove', id: 4 },
      { op: 'attr', id: 3, name: 'class', value: 'x' },
      { op: 'attr', id: 3, name: 'hidden', value: null },
      { op: 'text', id: 20, text: 'm' },
      { op: 'input', id: 5, value: 'abc', checked: true },
      { op: 'scroll', id: 1, x: 0, y: 40.5 },
      { op: 'frame', id: 7, doc: { type: 'document', id: 30, children: [] } },
      { op: 'frame', id: 7, doc: null },
      { op: 'css', id: 9, css: 'a{color:red}' },
      { op: 'canvas', id: 9, data: 'data:image/png;base64,AA==' },
      { op: 'viewport', width: 100, height: 200 },
      { op: 'sheets', id: 1, sheets: ['a{color:red}', ''] },
      { op: 'sheets', id: 9, sheets: [] },
      { op: 'focus', id: 5, visible: true },
      { op: 'focus', id: null, visible: false },
      { op: 'hover', id: 3 },
      { op: 'hover', id: null },
      { op: 'selection', id: 1, ranges: [{ start: 20, startOffset: 0, end: 20, endOffset: 1 }] },
      { op: 'selection', id: 1, ranges: [] },
      { op: 'layer', id: 9, layer: 'modal' },
      { op: 'layer', id: 9, layer: 'popover' },
      { op: 'layer', id: 9, layer: null },
    ];
    const result = parseBatch({ seq: 2, sentAt: Date.now(), ops });
    assert.ok(result.ok);
    assert.deepEqual(JSON.parse(JSON.stringify(result.value.ops)), ops);
  });

  const badOps: Array<[string, unknown, string]> = [
    ['unknown op', { op: 'eval', id: 1 }, 'batch.ops[0].op'],
    [
      'add without parent',
      { op: 'add', before: null, node: { type: 'text', id: 2, text: '' } },
      'batch.ops[0].parent',
    ],
    ['remove with extra field', { op: 'remove', id: 1, why: 'x' }, 'batch.ops[0].why'],
    ['attr value number', { op: 'attr', id: 1, name: 'a', value: 1 }, 'batch.ops[0].value'],
    ['scroll NaN', { op: 'scroll', id: 1, x: Number.NaN, y: 0 }, 'batch.ops[0].x'],
    ['input checked string', { op: 'input', id: 1, checked: 'yes' }, 'batch.ops[0].checked'],
    ['sheets not strings', { op: 'sheets', id: 1, sheets: [1] }, 'batch.ops[0].sheets[0]'],
    [
      'too many sheets',
      { op: 'sheets', id: 1, sheets: Array.from({ length: 257 }, () => '') },
      'batch.ops[0].sheets',
    ],
    ['focus without visible', { op: 'focus', id: 1 }, 'batch.ops[0].visible'],
    ['hover on id 0', { op: 'hover', id: 0 }, 'batch.ops[0].id'],
    [
      'selection with a negative offset',
      { op: 'selection', id: 1, ranges: [{ start: 2, startOffset: -1, end: 2, endOffset: 0 }] },
      'batch.ops[0].ranges[0].startOffset',
    ],
    [
      'selection range with text',
      {
        op: 'selection',
        id: 1,
        ranges: [{ start: 2, startOffset: 0, end: 2, endOffset: 1, text: 'x' }],
      },
      'batch.ops[0].ranges[0].text',
    ],
    ['layer of an unknown kind', { op: 'layer', id: 1, layer: 'fullscreen' }, 'batch.ops[0].layer'],
  ];
  for (const [name, op, path] of badOps) {
    it(`refuses a batch with ${name}`, () => {
      const result = parseBatch({ seq: 2, sentAt: 1, ops: [op] });
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.message.startsWith(path), result.message);
    });
  }

  it('checks requests', () => {
    assert.ok(parseStartRequest({ protocol: 1, url: 'https://a.test/' }).ok);
    assert.equal(parseJoinRequest({ protocol: 1, code: 'X'.repeat(40) }).ok, false);
    assert.ok(parseJoinRequest({ protocol: 1, code: 'ABCD-EFGH', name: 'Alice' }).ok);
    assert.ok(parsePointer({ x: 1, y: 2 }).ok);
    assert.equal(parsePointer({ x: 1 }).ok, false);
  });
});
