import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import type { DocumentNode } from '../../src/protocol/index.ts';
import { packTree } from '../../src/protocol/packed-tree.ts';
import { packTreeInSlices } from './snapshot-wire.ts';

const doc: DocumentNode = {
  type: 'document',
  id: 1,
  children: Array.from({ length: 2000 }, (_, i) => ({
    type: 'element' as const,
    id: i * 2 + 2,
    tag: 'li',
    attrs: { class: `i${i % 3}` },
    children: [{ type: 'text' as const, id: i * 2 + 3, text: `item ☃ ${i}` }],
  })),
};

/** A clock past every deadline: each slice writes the fewest nodes it can. */
const slices = { now: () => 1, sliceMs: -1 };

/** Runs each task on the next turn of the event loop, counting them. */
function countedTasks(): { yieldTask: (task: () => void) => void; count(): number } {
  let tasks = 0;
  return {
    yieldTask: (task) => {
      tasks += 1;
      setImmediate(task);
    },
    count: () => tasks,
  };
}

describe('snapshot on the wire', () => {
  it('deflates the packed tree, written over many tasks', async () => {
    const tasks = countedTasks();
    const packed = await packTreeInSlices(doc, { ...slices, yieldTask: tasks.yieldTask });
    assert.equal(packed?.compression, 'deflate-raw');
    assert.equal(inflateRawSync(packed.tree).toString(), packTree(doc));
    assert.ok(tasks.count() > 10, `${tasks.count()} tasks`);
  });

  it('sends the bytes uncompressed where the browser has no CompressionStream', async () => {
    const original = globalThis.CompressionStream;
    // @ts-expect-error -- a browser without it (Safari before 16.4)
    delete globalThis.CompressionStream;
    try {
      const packed = await packTreeInSlices(doc, { ...slices, yieldTask: setImmediate });
      assert.equal(packed?.compression, 'none');
      assert.equal(new TextDecoder().decode(packed.tree), packTree(doc));
    } finally {
      globalThis.CompressionStream = original;
    }
  });

  it('stops when the snapshot is no longer wanted', async () => {
    const tasks = countedTasks();
    const packed = await packTreeInSlices(doc, {
      ...slices,
      yieldTask: tasks.yieldTask,
      cancelled: () => tasks.count() >= 3,
    });
    assert.equal(packed, undefined);
    assert.equal(tasks.count(), 3);
  });
});
