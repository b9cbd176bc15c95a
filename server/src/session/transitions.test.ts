/**
 * Every transition of the session record, by table: from a named starting record, what it
 * returns (the refusal's code, or the fields of the next record), and that it never mutates
 * what it was given. The store applies these atomically; here they are plain functions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../protocol/index.ts';
import type { SessionRecord } from '../store/index.ts';
import { answerControl, endControl, requestControl } from './control.ts';
import {
  createSession,
  endSession,
  expireSession,
  joinAgent,
  leaveAgent,
  setCustomerConnected,
  touchSession,
  type Transition,
} from './session.ts';

const timeouts = { unusedTtlMs: 600_000, idleTtlMs: 1_800_000 };
const fresh = (): SessionRecord =>
  createSession({ id: 's', code: 'C', tokenHash: 'h', origin: 'o', url: 'u', now: 1000 });
const withAgents = (...ids: string[]): SessionRecord => ({
  ...fresh(),
  status: 'active',
  everJoined: true,
  agents: ids.map((id) => ({ id, name: id.toUpperCase() })),
});
const asked = (): SessionRecord => ({
  ...withAgents('a', 'b'),
  control: { agentId: 'a', name: 'A', state: 'requested', since: 1500 },
});
const granted = (): SessionRecord => ({
  ...withAgents('a', 'b'),
  control: { agentId: 'a', name: 'A', state: 'granted', since: 1600 },
});
const ended = (): SessionRecord => ({ ...granted(), status: 'ended', endedReason: 'customer' });

type Expect =
  { code: ErrorCode } | { unchanged: true } | { next: Partial<SessionRecord>; remove?: true };

const cases: Array<[string, () => SessionRecord, (s: SessionRecord) => Transition, Expect]> = [
  [
    'join: the first agent activates',
    fresh,
    (s) => joinAgent(s, { id: 'a', name: 'A' }, 4, 2000),
    {
      next: {
        status: 'active',
        everJoined: true,
        lastActivityAt: 2000,
        agents: [{ id: 'a', name: 'A' }],
      },
    },
  ],
  [
    'join: the same agent takes no second seat',
    () => withAgents('a'),
    (s) => joinAgent(s, { id: 'a', name: 'A2' }, 1, 2000),
    { next: { agents: [{ id: 'a', name: 'A2' }] } },
  ],
  [
    'join: beyond the limit',
    () => withAgents('a'),
    (s) => joinAgent(s, { id: 'b', name: 'B' }, 1, 2000),
    { code: 'session_full' },
  ],
  [
    'join: ended',
    ended,
    (s) => joinAgent(s, { id: 'c', name: 'C' }, 4, 2000),
    { code: 'session_ended' },
  ],
  [
    'leave: the last agent leaves, the session waits',
    () => withAgents('a'),
    (s) => leaveAgent(s, 'a', 2000),
    { next: { status: 'waiting', agents: [] } },
  ],
  [
    'leave: the controlling agent leaves, control ends with it',
    granted,
    (s) => leaveAgent(s, 'a', 2000),
    { next: { status: 'active', control: null, agents: [{ id: 'b', name: 'B' }] } },
  ],
  [
    'leave: another agent leaves, control stays',
    granted,
    (s) => leaveAgent(s, 'b', 2000),
    { next: { control: granted().control } },
  ],
  ['leave: someone not there', fresh, (s) => leaveAgent(s, 'z', 2000), { code: 'not_in_session' }],
  [
    'customer: disconnects',
    fresh,
    (s) => setCustomerConnected(s, false, 2000),
    { next: { customerConnected: false } },
  ],
  ['customer: ended', ended, (s) => setCustomerConnected(s, true, 2000), { code: 'session_ended' }],
  [
    'touch: moves the activity time',
    granted,
    (s) => touchSession(s, 5000),
    { next: { lastActivityAt: 5000, control: granted().control } },
  ],
  ['touch: not backwards', granted, (s) => touchSession(s, 10), { unchanged: true }],
  ['touch: ended', ended, (s) => touchSession(s, 5000), { code: 'session_ended' }],
  [
    'end: removes the record, control with it',
    granted,
    (s) => endSession(s, 'agent', 3000),
    { next: { status: 'ended', endedReason: 'agent', control: null }, remove: true },
  ],
  ['end: twice', ended, (s) => endSession(s, 'agent', 3000), { code: 'session_ended' }],
  ['expire: not yet', fresh, (s) => expireSession(s, 600_999, timeouts), { unchanged: true }],
  [
    'expire: unused',
    fresh,
    (s) => expireSession(s, 601_000, timeouts),
    { next: { status: 'ended', endedReason: 'expired' }, remove: true },
  ],
  [
    'expire: idle',
    () => withAgents('a'),
    (s) => expireSession(s, 1_801_000, timeouts),
    { next: { status: 'ended', endedReason: 'idle' }, remove: true },
  ],
  ['expire: ended', ended, (s) => expireSession(s, 9e9, timeouts), { code: 'session_ended' }],
  [
    'request: an agent asks',
    () => withAgents('a'),
    (s) => requestControl(s, { id: 'a', name: 'A' }, 1500),
    { next: { control: { agentId: 'a', name: 'A', state: 'requested', since: 1500 } } },
  ],
  [
    'request: asked again while granted',
    granted,
    (s) => requestControl(s, { id: 'a', name: 'A' }, 1700),
    { unchanged: true },
  ],
  [
    'request: another agent holds it',
    granted,
    (s) => requestControl(s, { id: 'b', name: 'B' }, 1700),
    { code: 'forbidden' },
  ],
  [
    'request: an outsider',
    () => withAgents('a'),
    (s) => requestControl(s, { id: 'z', name: 'Z' }, 1500),
    { code: 'not_in_session' },
  ],
  [
    'request: ended',
    ended,
    (s) => requestControl(s, { id: 'a', name: 'A' }, 1500),
    { code: 'session_ended' },
  ],
  [
    'answer: allow',
    asked,
    (s) => answerControl(s, 'a', true, 1600),
    { next: { control: granted().control } },
  ],
  ['answer: deny', asked, (s) => answerControl(s, 'a', false, 1600), { next: { control: null } }],
  [
    'answer: nobody asked',
    () => withAgents('a'),
    (s) => answerControl(s, 'a', true, 1600),
    { code: 'invalid_message' },
  ],
  [
    'answer: for another agent',
    asked,
    (s) => answerControl(s, 'b', true, 1600),
    { code: 'invalid_message' },
  ],
  [
    'answer: the agent left meanwhile',
    () => ({ ...asked(), agents: [{ id: 'b', name: 'B' }] }),
    (s) => answerControl(s, 'a', true, 1600),
    { code: 'not_in_session' },
  ],
  [
    'answer: ended',
    () => ({ ...asked(), status: 'ended' }),
    (s) => answerControl(s, 'a', true, 1600),
    { code: 'session_ended' },
  ],
  ['revoke: the customer revokes', granted, (s) => endControl(s), { next: { control: null } }],
  ['revoke: nobody has control', fresh, (s) => endControl(s), { code: 'control_not_granted' }],
  ['release: by the holder', granted, (s) => endControl(s, 'a'), { next: { control: null } }],
  [
    'release: by another agent',
    granted,
    (s) => endControl(s, 'b'),
    { code: 'control_not_granted' },
  ],
];

describe('session transitions', () => {
  for (const [name, start, apply, expected] of cases) {
    it(name, () => {
      const before = start();
      const copy = structuredClone(before);
      const result = apply(before);
      assert.deepEqual(before, copy, 'the transition mutated its input');
      if ('code' in expected) {
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.code, expected.code);
        return;
      }
      assert.ok(result.ok, !result.ok ? result.message : '');
      if ('unchanged' in expected) {
        assert.equal(result.session, before, 'an unchanged record is the same object');
        return;
      }
      assert.notEqual(result.session, before);
      for (const [field, value] of Object.entries(expected.next))
        assert.deepEqual(result.session[field as keyof SessionRecord], value, field);
      assert.equal(result.remove === true, expected.remove === true);
      // The version is the store's to bump.
      assert.equal(result.session.version, before.version);
    });
  }
});
