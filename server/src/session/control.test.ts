import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSession, joinAgent } from './session.ts';
import { answerControl, endControl, hasControl, requestControl, statusOf } from './control.ts';
import { parseControlAction } from './control-parse.ts';

function session() {
  const base = createSession({ id: 's', code: 'C', tokenHash: 'h', origin: 'o', url: 'u', now: 0 });
  let s = base;
  for (const id of ['a', 'b']) {
    const joined = joinAgent(s, { id, name: id.toUpperCase() }, 4, 0);
    assert.ok(joined.ok);
    s = joined.session;
  }
  return s;
}

describe('control transitions', () => {
  it('asks, is granted, and ends', () => {
    const asked = requestControl(session(), { id: 'a', name: 'A' }, 1);
    assert.ok(asked.ok);
    assert.equal(hasControl(asked.session, 'a'), false, 'not before the answer');
    assert.deepEqual(statusOf(asked.session), { state: 'requested', agentId: 'a', name: 'A' });
    const granted = answerControl(asked.session, 'a', true, 2);
    assert.ok(granted.ok);
    assert.equal(hasControl(granted.session, 'a'), true);
    assert.equal(hasControl(granted.session, 'b'), false);
    const ended = endControl(granted.session);
    assert.ok(ended.ok);
    assert.equal(hasControl(ended.session, 'a'), false);
    assert.equal(statusOf(ended.session).state, 'none');
  });

  it('refuses a second agent, an outsider, and answers for nobody', () => {
    const asked = requestControl(session(), { id: 'a', name: 'A' }, 1);
    assert.ok(asked.ok);
    assert.equal(requestControl(asked.session, { id: 'b', name: 'B' }, 2).ok, false);
    assert.equal(requestControl(session(), { id: 'z', name: 'Z' }, 2).ok, false);
    assert.equal(answerControl(asked.session, 'b', true, 2).ok, false);
    assert.equal(answerControl(session(), 'a', true, 2).ok, false);
    const denied = answerControl(asked.session, 'a', false, 2);
    assert.ok(denied.ok);
    assert.equal(statusOf(denied.session).state, 'none');
    assert.equal(endControl(asked.session, 'b').ok, false, 'b cannot release what a holds');
  });
});

describe('control action validation', () => {
  const cases: Array<[unknown, boolean]> = [
    [{ kind: 'click', target: 5 }, true],
    [{ kind: 'key', target: 5, key: 'a' }, true],
    [{ kind: 'key', target: 5, key: 'é' }, true],
    [{ kind: 'key', target: 5, key: 'Backspace' }, true],
    [{ kind: 'scroll', target: 1, dx: 0, dy: -40 }, true],
    [{ kind: 'key', target: 5, key: 'ab' }, false],
    [{ kind: 'key', target: 5, key: '\u0000' }, false],
    [{ kind: 'key', target: 5, key: 'F5' }, false],
    [{ kind: 'click', target: 0 }, false],
    [{ kind: 'click', target: 5, x: 1 }, false],
    [{ kind: 'scroll', target: 1, dx: Number.NaN, dy: 0 }, false],
    [{ kind: 'submit', target: 5 }, false],
    [null, false],
  ];
  for (const [input, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'} ${JSON.stringify(input)}`, () => {
      assert.equal(parseControlAction(input).ok, ok);
    });
  }
});
