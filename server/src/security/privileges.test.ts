import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_PRIVILEGES, parsePrivileges, privilegeFor } from './privileges.ts';

describe('agent event privileges', () => {
  const cases: Array<[unknown, ReturnType<typeof privilegeFor>]> = [
    ['session:join', 'cobrowse:monitor'],
    ['session:watch', 'cobrowse:supervise'],
    ['control:action', 'cobrowse:control'],
    ['agent:pointer', null],
    ['annotation:draw', 'cobrowse:monitor'],
    ['annotation:clear', null],
    // Not agent events: the customer's, made up, inherited from Object, or not a string at all.
    ['page:batch', 'unknown'],
    ['made:up', 'unknown'],
    ['toString', 'unknown'],
    ['__proto__', 'unknown'],
    ['constructor', 'unknown'],
    [42, 'unknown'],
    [undefined, 'unknown'],
  ];
  for (const [event, expected] of cases) {
    it(`${String(event)} → ${String(expected)}`, () => {
      assert.equal(privilegeFor(event), expected);
    });
  }

  it('has an entry for every agent event and nothing else', () => {
    // The type makes a missing entry a compile error; this pins the run-time table to it.
    assert.deepEqual(Object.keys(EVENT_PRIVILEGES).sort(), [
      'agent:pointer',
      'annotation:clear',
      'annotation:draw',
      'control:action',
      'control:navigate',
      'control:release',
      'control:request',
      'page:resync',
      'session:end',
      'session:join',
      'session:leave',
      'session:watch',
      'sessions:list',
    ]);
  });

  it('reads a claim as an array or a space-separated string, ignoring other scopes', () => {
    assert.deepEqual([...parsePrivileges('openid cobrowse:monitor')], ['cobrowse:monitor']);
    assert.deepEqual([...parsePrivileges(['cobrowse:control', 7])], ['cobrowse:control']);
    assert.deepEqual([...parsePrivileges(null)], []);
  });
});
