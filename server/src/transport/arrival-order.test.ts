import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalOrder, inArrivalOrder } from './arrival-order.ts';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ArrivalOrder', () => {
  it('relays in the order of arrival when later messages finish first', async () => {
    const order = new ArrivalOrder();
    const relayed: string[] = [];
    const slow = deferred();
    const snapshot = inArrivalOrder(order, async () => {
      await slow.promise;
      return () => relayed.push('snapshot 7');
    });
    const batch = inArrivalOrder(order, async () => () => relayed.push('batch 8'));
    await batch;
    assert.equal(relayed.length, 0, 'the batch waits for the snapshot before it');
    assert.equal(order.pending, 2);
    slow.resolve();
    await snapshot;
    assert.deepEqual(relayed, ['snapshot 7', 'batch 8']);
    assert.equal(order.pending, 0);
  });

  it('does not hold later relays behind a message that was dropped or failed', async () => {
    const order = new ArrivalOrder();
    const relayed: number[] = [];
    await inArrivalOrder(order, async () => null);
    await assert.rejects(
      inArrivalOrder(order, async () => {
        throw new Error('store away');
      }),
    );
    await inArrivalOrder(order, async () => () => relayed.push(3));
    assert.deepEqual(relayed, [3]);
    assert.equal(order.pending, 0);
  });

  it('releases places given up out of order', () => {
    const order = new ArrivalOrder();
    const relayed: number[] = [];
    const places = [order.take(), order.take(), order.take()];
    order.release(places[2]!, () => relayed.push(2));
    order.release(places[1]!, () => relayed.push(1));
    assert.equal(relayed.length, 0, 'the first place holds the others');
    order.release(places[0]!, () => relayed.push(0));
    assert.deepEqual(relayed, [0, 1, 2]);
  });
});
