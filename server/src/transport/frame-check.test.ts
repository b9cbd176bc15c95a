import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGENT_FRAMES, CUSTOMER_FRAMES, FRAME_LIMITS } from '../protocol/frame-limits.ts';
import type { FrameBound } from '../protocol/frame-limits.ts';
import {
  checkEvent,
  checkText,
  eventLabel,
  namespaceLabel,
  nestsDeeper,
  readHead,
  type FrameRules,
} from './frame-check.ts';

const rules: FrameRules = {
  table: new Map<string, Readonly<Record<string, FrameBound>>>([
    ['/customer', CUSTOMER_FRAMES],
    ['/agent', AGENT_FRAMES],
  ]),
  pageBytes: 64 * 1024,
};

const zeros = (n: number): string => new Array<number>(n).fill(0).join(',');
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** A Socket.IO packet's text (what follows Engine.IO's `4`): its verdict before parsing: ok, or its reason and whether it closes the connection. */
function verdictOf(frame: string): string {
  const head = readHead(frame);
  if (!head) return 'no head';
  const verdict = checkText(frame, head, rules);
  return verdict.ok ? 'ok' : `${verdict.reason}${verdict.fatal ? ' (close)' : ''}`;
}

describe('readHead', () => {
  it('reads type, attachments, namespace and event as socket.io-parser writes them', () => {
    assert.deepEqual(readHead('2/customer,["page:pointer",{"x":1}]'), {
      type: 2,
      attachments: 0,
      nsp: '/customer',
      json: 11,
      event: 'page:pointer',
    });
    assert.deepEqual(readHead('51-/customer,7["page:snapshot",{}]'), {
      type: 5,
      attachments: 1,
      nsp: '/customer',
      json: 14,
      event: 'page:snapshot',
    });
    assert.deepEqual(readHead('0'), { type: 0, attachments: 0, nsp: '/', json: 1 });
    assert.equal(readHead('x')?.type, undefined);
    assert.equal(readHead('5x-/a,[]'), null, 'attachments that are not a number');
    // An escaped name is not taken at its word: the frame gets an unknown event's small bound.
    assert.equal(readHead('2/customer,["page:b\\u0061tch",1]')?.event, undefined);
  });
});

describe('nestsDeeper', () => {
  const table: Array<[string, number, boolean]> = [
    [nested(10), 10, false],
    [nested(11), 10, true],
    [`["${'['.repeat(100)}"]`, 10, false],
    [`["\\"${'['.repeat(100)}"]`, 10, false],
    [`["\\\\",${nested(20)}]`, 10, true],
    [`{"a":{"b":{"c":[1,2,{"d":[]}]}}}`, 6, false],
    [`{"a":{"b":{"c":[1,2,{"d":[[]]}]}}}`, 6, true],
  ];
  for (const [text, limit, deeper] of table)
    it(`${text.slice(0, 30)}… deeper than ${limit}: ${deeper}`, () =>
      assert.equal(nestsDeeper(text, 0, limit), deeper));
});

describe('checkText', () => {
  const table: Array<[string, string, string]> = [
    ['a pointer', '2/customer,["page:pointer",{"x":1,"y":2}]', 'ok'],
    [
      '50,000 arguments on a pointer',
      `2/customer,["page:pointer",${zeros(50_000)}]`,
      'payload_too_large',
    ],
    ['a batch of the largest size', `2/customer,["page:batch","${'x'.repeat(60_000)}"]`, 'ok'],
    [
      'a batch beyond the page size',
      `2/customer,["page:batch","${'x'.repeat(70_000)}"]`,
      'payload_too_large',
    ],
    ['an unknown event, large', `2/customer,["nope","${'x'.repeat(20_000)}"]`, 'payload_too_large'],
    ['a deep start request', `2/customer,["session:start",${nested(2000)}]`, 'too_deep'],
    ['an acknowledgement from a client', '3/customer,["x"]', 'bad_packet_type (close)'],
    ['a connect error from a client', '4/customer,{"message":"x"}', 'bad_packet_type (close)'],
    [
      'a binary acknowledgement',
      '61-/customer,3[{"_placeholder":true,"num":0}]',
      'bad_packet_type (close)',
    ],
    [
      'a snapshot with its attachment',
      '51-/customer,["page:snapshot",{"tree":{"_placeholder":true,"num":0}}]',
      'ok',
    ],
    [
      'a binary batch',
      '51-/customer,["page:batch",{"_placeholder":true,"num":0}]',
      'unexpected_binary',
    ],
    [
      'two attachments',
      '52-/customer,["page:snapshot",{"_placeholder":true,"num":0}]',
      'bad_attachments (close)',
    ],
    [
      'a binary event of the agent namespace',
      '51-/agent,["page:snapshot",{}]',
      'unexpected_binary',
    ],
    ['a connect with a token', '0/agent,{"token":"abc"}', 'ok'],
    [
      'a connect with a huge auth',
      `0/agent,{"token":"${'x'.repeat(20_000)}"}`,
      'payload_too_large',
    ],
    ['a connect with deep auth', `0/agent,{"token":${nested(50)}}`, 'too_deep'],
    ['garbage type, left to the parser', '9/customer,[]', 'ok'],
  ];
  for (const [name, frame, expected] of table)
    it(`${name}: ${expected}`, () => assert.equal(verdictOf(frame), expected));

  it('leaves the nesting of page events to their tree validator', () => {
    assert.equal(
      verdictOf(`2/customer,["page:batch",${nested(FRAME_LIMITS.maxDepth + 10)}]`),
      'ok',
    );
  });
});

describe('checkEvent', () => {
  const verdict = (nsp: string, data: unknown, binary = false): string => {
    const v = checkEvent({ type: 2, nsp, data }, binary, rules);
    return v.ok ? 'ok' : v.reason;
  };
  it('takes one payload of an event the namespace has', () => {
    assert.equal(verdict('/customer', ['page:pointer', { x: 1, y: 1 }]), 'ok');
    assert.equal(verdict('/customer', ['session:end']), 'ok');
    assert.equal(verdict('/agent', ['page:resync']), 'ok');
  });
  it('refuses more payloads, unknown events and events of the other namespace', () => {
    assert.equal(verdict('/customer', ['page:pointer', 1, 2]), 'too_many_arguments');
    assert.equal(
      verdict('/customer', ['page:batch', ...new Array<number>(50_000).fill(0)]),
      'too_many_arguments',
    );
    assert.equal(verdict('/customer', ['nope', 1]), 'unknown_event');
    assert.equal(verdict('/customer', [42, 1]), 'unknown_event');
    assert.equal(verdict('/customer', ['constructor', 1]), 'unknown_event');
    assert.equal(verdict('/customer', ['__proto__', 1]), 'unknown_event');
    assert.equal(verdict('/agent', ['page:batch', {}]), 'unknown_event');
    assert.equal(verdict('/', ['page:batch', {}]), 'unknown_event');
    assert.equal(verdict('/customer', 'not an array'), 'malformed_packet');
  });
  it('takes a binary attachment only on a snapshot', () => {
    assert.equal(verdict('/customer', ['page:snapshot', {}], true), 'ok');
    assert.equal(verdict('/customer', ['page:batch', {}], true), 'unexpected_binary');
  });
});

describe('metric labels', () => {
  it('names only our namespaces and events, never what a client made up', () => {
    assert.equal(namespaceLabel(rules, '/customer'), 'customer');
    assert.equal(namespaceLabel(rules, '/x'.repeat(100)), 'other');
    assert.equal(eventLabel(rules, '/agent', 'session:join'), 'session:join');
    assert.equal(eventLabel(rules, '/agent', 'page:batch'), 'unknown');
    assert.equal(eventLabel(rules, '/agent', 'x'.repeat(1000)), 'unknown');
  });
});
