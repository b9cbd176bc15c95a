import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElementNode, PageSnapshot, SerializedNode } from '../protocol/index.ts';
import { element, pageSnapshot, text } from '../../../test/support/pages.ts';
import { RestrictionsStep, type RestrictionsConfig } from './restrictions.ts';

const ctx = { sessionId: 's1' };
const CONFIG: RestrictionsConfig = {
  mask: ['.secret', '#account .balance'],
  hide: ['.photo-id'],
  readOnly: ['button.pay'],
  maskMode: 'length',
  fixedMaskLength: 8,
};

const el = element;

const page = (body: SerializedNode[]): PageSnapshot => pageSnapshot(1, body);

const bodyOf = (s: PageSnapshot): SerializedNode[] =>
  ((s.doc.children[0] as ElementNode).children[0] as ElementNode).children;

function setup(config: RestrictionsConfig = CONFIG) {
  const step = new RestrictionsStep(config);
  const input = page([
    el(10, 'input', { type: 'password', value: 'hunter2' }, [], { value: 'hunter2' }),
    el(11, 'input', { autocomplete: 'billing CC-Number' }, [], { value: '4111' }),
    el(12, 'p', { class: 'secret', title: 'Top secret' }, [text(13, 'Balance 100')]),
    el(14, 'div', { id: 'account' }, [el(15, 'span', { class: 'balance' }, [text(16, '42')])]),
    el(17, 'img', { class: 'photo-id', style: 'width: 120px; height: 80px; color: red' }),
    el(18, 'button', { class: 'pay' }, [text(19, 'Pay')]),
    el(20, 'section', { 'data-tandem-hide': '' }, [el(21, 'p', {}, [text(22, 'x')])]),
    el(23, 'div', { 'data-tandem-mask': '' }, [el(24, 'b', {}, [text(25, 'nested')])], {
      shadow: [text(26, 'in shadow')],
    }),
    el(27, 'div', {}, [text(28, 'plain')]),
  ]);
  const out = step.snapshot(ctx, input);
  return { step, input, out };
}

describe('RestrictionsStep: snapshots', () => {
  it('masks values, text and descriptive attributes of masked elements', () => {
    const { out } = setup();
    const [password, card, secret, account] = bodyOf(out) as ElementNode[];
    assert.equal(password?.value, '•••••••');
    assert.equal(password?.attrs.value, '•••••••');
    assert.equal(card?.value, '••••');
    assert.equal(secret?.attrs.title, '••••••••••');
    assert.deepEqual(secret?.children, [{ type: 'text', id: 13, text: '•••••••••••' }]);
    const balance = account?.children[0] as ElementNode;
    assert.deepEqual(balance.children, [{ type: 'text', id: 16, text: '••' }]);
  });

  it('masks through nested elements and shadow roots', () => {
    const { out } = setup();
    const marked = bodyOf(out)[7] as ElementNode;
    assert.equal(
      ((marked.children[0] as ElementNode).children[0] as { text: string }).text,
      '••••••',
    );
    assert.deepEqual(marked.shadow, [{ type: 'text', id: 26, text: '•••••••••' }]);
  });

  it('turns hidden elements into empty boxes that keep only their size', () => {
    const { out, step } = setup();
    const photo = bodyOf(out)[4] as ElementNode;
    assert.equal(photo.tag, 'div');
    assert.deepEqual(
      { ...photo.attrs },
      { 'data-tandem-hidden': '', style: 'width: 120px; height: 80px' },
    );
    const section = bodyOf(out)[6] as ElementNode;
    assert.deepEqual(section.children, []);
    assert.equal(step.restrictionOf('s1', 21), undefined, 'nodes inside a hidden box are gone');
  });

  it('leaves the input snapshot untouched and everything else as it was', () => {
    const { input, out } = setup();
    assert.equal((bodyOf(input)[0] as ElementNode).value, 'hunter2');
    assert.deepEqual(bodyOf(out)[8], el(27, 'div', {}, [text(28, 'plain')]));
  });

  it('answers isReadOnly and isMasked, failing closed for unknown nodes', () => {
    const { step } = setup();
    assert.equal(step.isReadOnly('s1', 18), true);
    assert.equal(step.isReadOnly('s1', 19), true, 'the text inside a read-only button');
    assert.equal(step.isReadOnly('s1', 27), false);
    assert.equal(step.isMasked('s1', 10), true);
    assert.equal(step.isMasked('s1', 17), true, 'a hidden box');
    assert.equal(step.isMasked('s1', 27), false);
    assert.equal(step.isReadOnly('s1', 999), true);
    assert.equal(step.isMasked('other', 27), true);
  });

  it('masks to a fixed length when configured', () => {
    const { out } = setup({ ...CONFIG, maskMode: 'fixed', fixedMaskLength: 4 });
    assert.equal((bodyOf(out)[0] as ElementNode).value, '••••');
  });
});

describe('RestrictionsStep: batches', () => {
  it('masks typed values, text changes and added nodes inside masked elements', () => {
    const { step } = setup();
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [
        { op: 'input', id: 10, value: 'hunter22' },
        { op: 'input', id: 27, value: 'ok' },
        { op: 'text', id: 13, text: 'Balance 200' },
        { op: 'text', id: 28, text: 'still plain' },
        { op: 'add', parent: 12, before: null, node: el(40, 'i', { alt: 'x' }, [text(41, 'new')]) },
        { op: 'attr', id: 12, name: 'title', value: 'Other' },
        { op: 'add', parent: 20, before: null, node: text(42, 'into hidden') },
        { op: 'text', id: 22, text: 'inside hidden' },
        { op: 'canvas', id: 12, data: 'data:image/png;base64,AA' },
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(out.ops)), [
      { op: 'input', id: 10, value: '••••••••' },
      { op: 'input', id: 27, value: 'ok' },
      { op: 'text', id: 13, text: '•••••••••••' },
      { op: 'text', id: 28, text: 'still plain' },
      {
        op: 'add',
        parent: 12,
        before: null,
        node: el(40, 'i', { alt: '•' }, [text(41, '•••')]),
      },
      { op: 'attr', id: 12, name: 'title', value: '•••••' },
    ]);
  });

  it('keeps masked text out of selections and hidden nodes out of focus, hover and sheets', () => {
    const { step } = setup();
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [
        {
          op: 'selection',
          id: 1,
          ranges: [
            { start: 13, startOffset: 0, end: 13, endOffset: 3 },
            { start: 28, startOffset: 0, end: 28, endOffset: 3 },
            { start: 10, startOffset: 0, end: 10, endOffset: 7 },
          ],
        },
        { op: 'focus', id: 10, visible: true },
        { op: 'focus', id: 21, visible: false },
        { op: 'hover', id: 20 },
        { op: 'hover', id: 22 },
        { op: 'sheets', id: 20, sheets: ['p{color:red}'] },
        { op: 'sheets', id: 23, sheets: ['b{color:red}'] },
        { op: 'layer', id: 20, layer: 'popover' },
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(out.ops)), [
      { op: 'selection', id: 1, ranges: [{ start: 28, startOffset: 0, end: 28, endOffset: 3 }] },
      // Focus on a masked field shows where the customer is, never what is in it.
      { op: 'focus', id: 10, visible: true },
      { op: 'focus', id: null, visible: false },
      { op: 'hover', id: null },
      { op: 'hover', id: null },
      { op: 'sheets', id: 23, sheets: ['b{color:red}'] },
    ]);
  });

  it('re-sends an element that a later attribute change makes masked or hidden', () => {
    const { step } = setup();
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [
        { op: 'attr', id: 27, name: 'class', value: 'secret' },
        { op: 'attr', id: 14, name: 'class', value: 'photo-id' },
      ],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(out.ops)), [
      { op: 'attr', id: 27, name: 'class', value: 'secret' },
      { op: 'remove', id: 27 },
      {
        op: 'add',
        parent: 3,
        before: null,
        node: el(27, 'div', { class: 'secret' }, [text(28, '•••••')]),
      },
      { op: 'remove', id: 14 },
      {
        op: 'add',
        parent: 3,
        before: 17,
        node: el(14, 'div', { 'data-tandem-hidden': '' }),
      },
    ]);
    assert.equal(step.isMasked('s1', 27), true);
    assert.equal(step.restrictionOf('s1', 16), undefined);
  });

  it('re-evaluates descendants when a combinator ties them to the changed ancestor', () => {
    const step = new RestrictionsStep({ ...CONFIG, mask: ['.vault .amount'] });
    step.snapshot(
      ctx,
      page([el(40, 'div', {}, [el(41, 'span', { class: 'amount' }, [text(42, '99')])])]),
    );
    assert.equal(step.isMasked('s1', 41), false);
    step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [{ op: 'attr', id: 40, name: 'class', value: 'vault' }],
    });
    assert.equal(step.isMasked('s1', 41), true);
  });

  it('without combinators, an ancestor class change costs nothing and a matching element still masks', () => {
    const step = new RestrictionsStep({
      ...CONFIG,
      mask: ['.amount-secret'],
      hide: [],
      readOnly: [],
    });
    step.snapshot(ctx, page([el(40, 'div', {}, [el(41, 'span', {}, [text(42, '99')])])]));
    const toggled = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [{ op: 'attr', id: 3, name: 'class', value: 'dark' }],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(toggled.ops)), [
      { op: 'attr', id: 3, name: 'class', value: 'dark' },
    ]);
    assert.equal(step.isMasked('s1', 41), false);
    const masked = step.batch(ctx, {
      seq: 3,
      sentAt: 0,
      ops: [{ op: 'attr', id: 41, name: 'class', value: 'amount-secret' }],
    });
    assert.equal(step.isMasked('s1', 41), true);
    assert.ok(JSON.stringify(masked.ops).includes('••'), 'the element is re-sent masked');
    assert.ok(!JSON.stringify(masked.ops).includes('99'));
  });

  it('drops operations aimed at nodes it does not have, and everything before a snapshot', () => {
    const { step } = setup();
    const out = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [
        { op: 'remove', id: 27 },
        { op: 'text', id: 28, text: 'gone' },
        { op: 'attr', id: 500, name: 'class', value: 'x' },
      ],
    });
    assert.deepEqual(out.ops, [{ op: 'remove', id: 27 }]);
    const fresh = new RestrictionsStep(CONFIG);
    assert.deepEqual(
      fresh.batch(ctx, { seq: 1, sentAt: 0, ops: [{ op: 'remove', id: 3 }] }).ops,
      [],
    );
  });

  it('restricts a frame document that replaces another', () => {
    const { step } = setup();
    step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [{ op: 'add', parent: 3, before: null, node: el(50, 'iframe', { class: 'secret' }) }],
    });
    const out = step.batch(ctx, {
      seq: 3,
      sentAt: 0,
      ops: [
        {
          op: 'frame',
          id: 50,
          doc: { type: 'document', id: 51, children: [el(52, 'html', {}, [text(53, 'abc')])] },
        },
      ],
    });
    const op = out.ops[0];
    assert.ok(op?.op === 'frame' && op.doc);
    assert.deepEqual((op.doc.children[0] as ElementNode).children, [text(53, '•••')]);
  });

  it('catches up from a stored page (a customer on another node)', () => {
    const { step, out } = setup();
    const other = new RestrictionsStep(CONFIG);
    const batch = step.batch(ctx, {
      seq: 2,
      sentAt: 0,
      ops: [{ op: 'add', parent: 3, before: null, node: el(60, 'button', { class: 'pay' }) }],
    });
    assert.equal(other.hasSession('s1'), false);
    other.syncPage('s1', { snapshot: out, batches: [batch], lastSeq: 2 });
    assert.equal(other.isReadOnly('s1', 60), true);
    assert.equal(other.isReadOnly('s1', 27), false);
  });
});
