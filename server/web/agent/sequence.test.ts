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

  it('ignores a batch it already applied, without asking for a resync', () => {
    const tracker = new SequenceTracker(() => 0);
    tracker.snapshot(7);
    assert.equal(tracker.batch(8), 'apply');
    assert.equal(tracker.batch(8), 'ignore', 'the relay and the catch-up both sent it');
    assert.equal(tracker.isAwaitingSnapshot, false);
    assert.equal(tracker.batch(9), 'apply');
  });

  it('does not go back to an older snapshot that arrives late', () => {
    const tracker = new SequenceTracker(() => 0);
    assert.equal(tracker.snapshot(7), true);
    assert.equal(tracker.batch(8), 'apply');
    assert.equal(tracker.snapshot(7), false, 'the relayed copy after the stored one');
    assert.equal(tracker.batch(9), 'apply');
    assert.equal(tracker.snapshot(12), true, 'a newer one is shown');
  });

  it('shows any snapshot while one is awaited, older than the last batch or not', () => {
    const tracker = new SequenceTracker(() => 0);
    tracker.snapshot(5);
    assert.equal(tracker.batch(6), 'apply');
    assert.equal(tracker.batch(9), 'resync');
    assert.equal(tracker.snapshot(4), true);
    assert.equal(tracker.lastSeq, 4);
  });

  it('owes a resync for a gap seen while the last request was too recent, and says when', () => {
    let now = 0;
    const tracker = new SequenceTracker(() => now, 2000);
    tracker.snapshot(1);
    assert.equal(tracker.retryDueInMs, null);
    assert.equal(tracker.batch(3), 'resync');
    now = 500;
    tracker.snapshot(3);
    assert.equal(tracker.batch(5), 'ignore');
    assert.equal(tracker.retryDueInMs, 1500);
    assert.equal(tracker.retry(), false, 'not before the delay');
    now = 2000;
    assert.equal(tracker.retry(), true);
    assert.equal(tracker.retryDueInMs, null, 'paid');
    tracker.snapshot(6);
    assert.equal(tracker.retry(), false, 'nothing owed once a snapshot came');
  });
});
