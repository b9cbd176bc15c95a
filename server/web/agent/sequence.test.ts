import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SequenceTracker } from './sequence.ts';

describe('SequenceTracker', () => {
  it('applies consecutive batches after a snapshot', () => {
    const tracker = new SequenceTracker(() => 0);
    tracker.snapshot(1);
    assert.equal(tracker.batch(2), 'apply');
    assert.equal(tracker.batch(3), 'apply');
    assert.equal(tracker.lastSeq, 3);
  });

  it('asks for a resync on a gap and ignores batches until the next snapshot', () => {
    let now = 0;
    const tracker = new SequenceTracker(() => now, 2000);
    tracker.snapshot(5);
    assert.equal(tracker.batch(7), 'resync');
    assert.equal(tracker.batch(8), 'ignore');
    now = 2500;
    assert.equal(tracker.batch(9), 'resync', 'asks again once the retry delay passed');
    tracker.snapshot(10);
    assert.equal(tracker.batch(11), 'apply');
  });

  const beforeSnapshot: [string, number][] = [
    ['the first batch', 1],
    ['a later batch', 42],
  ];
  for (const [name, seq] of beforeSnapshot) {
    it(`does not apply ${name} before any snapshot`, () => {
      const tracker = new SequenceTracker(() => 0);
      assert.equal(tracker.batch(seq), 'resync');
      assert.equal(tracker.isAwaitingSnapshot, true);
    });
  }

  it('waits for a snapshot again after reset', () => {
    const tracker = new SequenceTracker(() => 0);
    tracker.snapshot(1);
    tracker.reset();
    assert.equal(tracker.batch(2), 'resync');
  });
});
