import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  controlOutcome,
  modeOf,
  type ControlMode,
  type LocalIntent,
} from './control-transitions.ts';

describe('controlOutcome', () => {
  const cases: Array<[ControlMode, ControlMode, LocalIntent, string | null]> = [
    ['none', 'requested', 'request', 'control.requested'],
    ['requested', 'granted', 'request', 'control.granted'],
    ['requested', 'none', 'request', 'control.denied'],
    ['requested', 'none', 'release', 'control.cancelled'],
    ['granted', 'none', 'request', 'control.revoked'],
    ['granted', 'none', null, 'control.revoked'],
    ['granted', 'none', 'release', 'control.released'],
    ['none', 'other', null, 'control.other'],
    ['other', 'none', null, null],
    ['granted', 'granted', null, null],
  ];
  for (const [before, after, intent, expected] of cases) {
    it(`${before} → ${after} (${intent ?? 'no intent'}) is ${expected ?? 'no news'}`, () => {
      assert.equal(controlOutcome(before, after, intent), expected);
    });
  }
});

describe('modeOf', () => {
  it('tells this agent from another', () => {
    const status = { state: 'granted', agentId: 'a', name: 'Ann' } as const;
    assert.equal(modeOf(status, 'a'), 'granted');
    assert.equal(modeOf(status, 'b'), 'other');
    assert.equal(modeOf({ state: 'none', agentId: null, name: null }, 'a'), 'none');
  });
});
