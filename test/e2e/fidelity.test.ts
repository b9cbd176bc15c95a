/**
 * The fidelity suite's smoke (bench/fidelity, `make fidelity` prints the full table with rrweb):
 * every page is recorded by the snippet in real Chromium, relayed through the server's
 * validators, sanitizer and DOM restrictions, rebuilt by the console's mirror, and compared with
 * the customer's viewport pixel by pixel. Each feature has a floor that a regression breaks
 * (adopted sheets not applied leave the web-components page under 75% of its content right,
 * a lost focus ring or hover state changes every pixel of the element). And whatever the paths,
 * the masked field's value never leaves the customer's page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { MutationOp, PageSnapshot, SerializedNode } from '../../server/src/protocol/index.ts';
import { SECRET } from '../../bench/fidelity/pages.ts';
import { runFidelity, type FidelityRow } from '../../bench/fidelity/run.ts';
import { launchChromium } from './support/browser.ts';

/** Least share of the customer's non-background pixels the mirror must get exactly right. */
const FLOORS: Record<string, number> = {
  'todomvc-web-components': 0.99,
  'document-adopted-sheets': 0.99,
  'cssom-insert-delete': 0.99,
  'presentational-attributes': 0.99,
  'focus-visible': 0.99,
  hover: 0.99,
  'text-selection': 0.98,
  'modal-dialog': 0.99,
  popover: 0.99,
  'details-open': 0.99,
  'select-state': 0.98,
  'script-set-fields': 0.99,
  'custom-properties': 0.99,
  'font-face-api': 0.99,
  'canvas-redraw': 0.99,
  'video-frame': 0.99,
  // The mirror shows the masked canvas empty and the selection not at all: by design.
  'masked-field': 0.1,
};

type Message = { kind: 'snapshot'; snapshot: PageSnapshot } | { kind: 'batch'; ops: MutationOp[] };

function* elements(nodes: SerializedNode[]): Generator<SerializedNode & { type: 'element' }> {
  for (const node of nodes) {
    if (node.type !== 'element') continue;
    yield node;
    yield* elements(node.children);
    if (node.shadow) yield* elements(node.shadow);
  }
}

describe('mirror fidelity (pixel by pixel, through the server pipeline)', () => {
  let browser: Browser;
  let rows: FidelityRow[] = [];

  before(async () => {
    browser = await launchChromium();
    rows = await runFidelity({ browser });
  });

  after(async () => {
    await browser?.close();
  });

  it('runs every page of the suite', () => {
    assert.deepEqual(
      rows.map((row) => row.name),
      Object.keys(FLOORS),
    );
  });

  for (const [name, floor] of Object.entries(FLOORS)) {
    it(`${name}: at least ${floor * 100}% of the content pixels equal`, () => {
      const row = rows.find((r) => r.name === name);
      assert.ok(row, `${name} ran`);
      assert.ok(
        row.tandem.equalContent >= floor,
        `${name}: ${(row.tandem.equalContent * 100).toFixed(2)}% of content pixels equal (${row.feature})`,
      );
      assert.equal(row.tandem.width, 800);
      assert.equal(row.tandem.height, 600);
    });
  }

  it('keeps the masked value out of every path: values, sheets, focus, selection, canvas', () => {
    const row = rows.find((r) => r.name === 'masked-field');
    assert.ok(row);
    // Neither what the snippet sent nor what the agent got holds the value.
    assert.ok(!row.sent.includes(SECRET), 'the snippet never sends the secret');
    assert.ok(!row.wire.includes(SECRET), 'no agent receives the secret');
    const sent = JSON.parse(row.sent) as Message[];
    const snapshot = sent.find((m) => m.kind === 'snapshot');
    assert.ok(snapshot?.kind === 'snapshot');
    const all = [...elements(snapshot.snapshot.doc.children)];
    const canvas = all.find((el) => el.attrs.id === 'mc');
    const pin = all.find((el) => el.attrs.id === 'pin');
    assert.ok(canvas && pin, 'the page was serialized');
    assert.equal(canvas.canvas, undefined, 'no bitmap of the masked canvas in the snapshot');
    const ops = sent.flatMap((m) => (m.kind === 'batch' ? m.ops : []));
    assert.ok(!ops.some((op) => op.op === 'canvas' && op.id === canvas.id), 'nor later');
    const typed = ops.find((op) => op.op === 'input' && op.id === pin.id);
    assert.ok(typed?.op === 'input' && typed.value === '•'.repeat(SECRET.length), 'masked value');
    // The agent sees where the customer is (focus), not what is selected in the field.
    assert.ok(ops.some((op) => op.op === 'focus' && op.id === pin.id));
    const selections = ops.filter((op) => op.op === 'selection');
    assert.ok(selections.length > 0, 'the selection was looked at');
    for (const op of selections) {
      assert.ok(op.op === 'selection' && op.ranges.every((r) => r.start !== pin.id));
    }
    // The shadow root's adopted sheet arrived: masking does not cost the field its style.
    assert.ok(
      ops.some(
        (op) =>
          op.op === 'sheets' &&
          op.sheets.some((css) => css.includes('a33') || css.includes('170, 51, 51')),
      ),
    );
  });
});
