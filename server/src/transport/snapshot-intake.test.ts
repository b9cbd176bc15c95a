import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { LIMITS } from '../protocol/limits.ts';
import { packTree } from '../protocol/packed-tree.ts';
import type { DocumentNode, PackedPageSnapshot } from '../protocol/index.ts';
import {
  createSnapshotIntake,
  type SnapshotIntakeResult,
  type SnapshotRead,
} from './snapshot-intake.ts';

const head = {
  seq: 1,
  url: 'https://shop.test/',
  title: 'Shop',
  viewport: { width: 9, height: 9 },
};
const doc: DocumentNode = {
  type: 'document',
  id: 1,
  children: [
    {
      type: 'element',
      id: 2,
      tag: 'p',
      attrs: {},
      children: [{ type: 'text', id: 3, text: 'hi' }],
    },
  ],
};
const packed = (
  tree: Uint8Array,
  compression: 'deflate-raw' | 'none' = 'deflate-raw',
): PackedPageSnapshot => ({
  ...head,
  tree,
  compression,
});
const page = packed(deflateRawSync(Buffer.from(packTree(doc))));
/** 9 KiB of deflate that inflates to 9 MiB: past the protocol's bound. */
const bomb = packed(deflateRawSync(Buffer.alloc(9 * 1024 * 1024)));

async function verdict(result: SnapshotIntakeResult): Promise<SnapshotRead> {
  return 'now' in result ? result.now : await result.later;
}

const MiB = 1024 * 1024;

describe('createSnapshotIntake', () => {
  it('inflates a packed tree off the event loop and reads it', async () => {
    const intake = createSnapshotIntake({
      snapshotBytesPerMinute: MiB,
      inflatedBytesPerMinute: MiB,
      maxNodes: 100,
    });
    const result = intake.read(page);
    assert.ok('later' in result, 'inflating is asynchronous');
    const read = await verdict(result);
    assert.ok(read.ok);
    assert.equal(read.value.doc.children.length, 1);
  });

  it('refuses a bomb after the protocol bound of work, then without inflating once the budget is spent', async () => {
    let clock = 0;
    const intake = createSnapshotIntake({
      snapshotBytesPerMinute: 32 * MiB,
      inflatedBytesPerMinute: 2 * LIMITS.maxMessageBytes,
      maxNodes: 100,
      now: () => clock,
    });
    const first = await verdict(intake.read(bomb));
    assert.equal(!first.ok && first.code, 'payload_too_large');
    const second = await verdict(intake.read(bomb));
    assert.equal(!second.ok && second.code, 'payload_too_large');
    const third = intake.read(bomb);
    assert.ok('now' in third, 'refused at once: nothing inflated');
    assert.equal(!third.now.ok && third.now.code, 'inflate_budget');
    assert.ok('now' in intake.read(page), 'a real page waits for the budget too');
    clock += 60_000;
    assert.ok((await verdict(intake.read(page))).ok, 'a minute later the budget is back');
  });

  it('stops inflating at what is left of the budget, and refunds what a page did not use', async () => {
    const intake = createSnapshotIntake({
      snapshotBytesPerMinute: 32 * MiB,
      inflatedBytesPerMinute: MiB,
      maxNodes: 100,
      now: () => 0,
    });
    for (let i = 0; i < 20; i++) assert.ok((await verdict(intake.read(page))).ok, `page ${i}`);
    const bigger = await verdict(intake.read(bomb));
    assert.equal(!bigger.ok && bigger.code, 'inflate_budget');
  });

  it('charges the bytes sent, and uncompressed trees to both budgets', async () => {
    const raw = Buffer.from(packTree(doc));
    const intake = createSnapshotIntake({
      snapshotBytesPerMinute: 64 * 1024,
      inflatedBytesPerMinute: 64 * 1024,
      maxNodes: 100,
      now: () => 0,
    });
    const plain = intake.read(packed(raw, 'none'));
    assert.ok('now' in plain && plain.now.ok, 'no inflating: read at once');
    const huge = intake.read(packed(new Uint8Array(64 * 1024)));
    assert.ok('now' in huge && !huge.now.ok && huge.now.code === 'inflate_budget');
  });

  it('refuses broken deflate data as invalid', async () => {
    const intake = createSnapshotIntake({
      snapshotBytesPerMinute: MiB,
      inflatedBytesPerMinute: MiB,
      maxNodes: 100,
    });
    const read = await verdict(intake.read(packed(Buffer.from('not deflate at all'))));
    assert.equal(!read.ok && read.code, 'invalid_message');
  });
});
