import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBudget } from './byte-budget.ts';

describe('ByteBudget', () => {
  it('holds a minute of bytes, refills continuously, and refunds what a reservation did not use', () => {
    let clock = 0;
    const budget = new ByteBudget(6000, () => clock);
    assert.equal(budget.take(5000), true);
    assert.equal(budget.take(2000), false, 'refused whole: nothing spent');
    assert.equal(budget.available(), 1000);
    clock += 10_000;
    assert.equal(budget.available(), 2000, 'a sixth of a minute refills a sixth');
    budget.refund(10_000);
    assert.equal(budget.available(), 6000, 'never past a minute of bytes');
    clock += 3_600_000;
    assert.equal(budget.available(), 6000);
  });
});
