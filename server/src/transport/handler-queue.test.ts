import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HandlerQueue } from './handler-queue.ts';

/** A promise settled by the test. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HandlerQueue', () => {
  it('runs tasks at once while nothing holds', () => {
    const queue = new HandlerQueue(4);
    const seen: number[] = [];
    queue.run(() => seen.push(1));
    queue.run(() => seen.push(2));
    assert.deepEqual(seen, [1, 2]);
  });

  it('queues later tasks behind held work, and runs them in order once it settles', async () => {
    const queue = new HandlerQueue(4);
    const seen: string[] = [];
    const work = deferred<undefined>();
    // What the held work does when it ends (the snapshot's store write) comes first.
    queue.hold(work.promise.then(() => void seen.push('snapshot')));
    queue.run(() => seen.push('batch 1'));
    queue.run(() => seen.push('batch 2'));
    assert.equal(seen.length, 0);
    work.resolve(undefined);
    await settle();
    assert.deepEqual(seen, ['snapshot', 'batch 1', 'batch 2']);
    queue.run(() => seen.push('batch 3'));
    assert.equal(seen.length, 4, 'inline again once drained');
  });

  it('stops draining at a task that holds again, and releases on failure too', async () => {
    const queue = new HandlerQueue(8);
    const seen: string[] = [];
    const first = deferred<undefined>();
    const second = deferred<undefined>();
    queue.hold(first.promise);
    queue.run(() => queue.hold(second.promise));
    queue.run(() => seen.push('after both'));
    first.reject(new Error('bad data'));
    await settle();
    assert.equal(queue.waiting, 1, 'the second hold keeps the last task waiting');
    second.resolve(undefined);
    await settle();
    assert.deepEqual(seen, ['after both']);
  });

  it('refuses tasks past its bound while held', () => {
    const queue = new HandlerQueue(2);
    queue.hold(new Promise(() => undefined));
    assert.equal(
      queue.run(() => undefined),
      true,
    );
    assert.equal(
      queue.run(() => undefined),
      true,
    );
    assert.equal(
      queue.run(() => undefined),
      false,
    );
  });
});
