import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue, type Timers } from './queue.ts';
import { decideLease } from './leader.ts';

/** Timers that fire only when the test says so. */
function fakeTimers() {
  let clock = 0;
  const pending: { due: number; fn: () => void; id: number }[] = [];
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.push({ due: clock + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = pending.findIndex((p) => p.id === id);
      if (i >= 0) pending.splice(i, 1);
    },
    now: () => clock,
  };
  const advance = (ms: number) => {
    clock += ms;
    for (const p of pending.filter((x) => x.due <= clock)) {
      pending.splice(pending.indexOf(p), 1);
      p.fn();
    }
  };
  return { timers, advance, pending };
}

test('one key never runs twice at once; an event during a run runs it again after', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let release: () => void = () => undefined;
  const queue = new WorkQueue(
    async () => {
      running++;
      runs++;
      maxRunning = Math.max(maxRunning, running);
      if (runs === 1) await new Promise<void>((r) => (release = r));
      running--;
      return {};
    },
    { timers: fakeTimers().timers },
  );
  queue.add('ns/a');
  queue.add('ns/a');
  queue.add('ns/a');
  release();
  await queue.idle();
  await queue.idle();
  assert.equal(maxRunning, 1);
  assert.equal(runs, 2);
});

test('failures retry with exponential backoff; success resets it', async () => {
  const { timers, advance, pending } = fakeTimers();
  let calls = 0;
  const queue = new WorkQueue(
    async () => {
      calls++;
      if (calls < 3) throw new Error('conflict');
      return {};
    },
    { timers, baseBackoffMs: 100 },
  );
  queue.add('ns/a');
  await queue.idle();
  assert.deepEqual(
    pending.map((p) => p.due),
    [100],
  );
  advance(100);
  await queue.idle();
  assert.deepEqual(
    pending.map((p) => p.due),
    [300],
  );
  advance(200);
  await queue.idle();
  assert.equal(calls, 3);
  assert.equal(pending.length, 0);
  assert.equal(queue.backoffMs(20), 60_000);
});

test('lease decisions: renew own, take over an expired or empty one, else wait', () => {
  const now = new Date('2030-01-01T00:00:10Z');
  const lease = (holderIdentity: string, renewTime: string) => ({
    spec: { holderIdentity, renewTime: renewTime as unknown as Date, leaseDurationSeconds: 4 },
  });
  assert.equal(decideLease(lease('me', '2030-01-01T00:00:00Z'), 'me', now), 'renew');
  assert.equal(decideLease(lease('other', '2030-01-01T00:00:09Z'), 'me', now), 'wait');
  assert.equal(decideLease(lease('other', '2030-01-01T00:00:05Z'), 'me', now), 'takeOver');
  assert.equal(decideLease(lease('', '2030-01-01T00:00:09Z'), 'me', now), 'takeOver');
});
