import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyEngineClose } from './engine-errors.ts';

describe('classifyEngineClose', () => {
  const cases: Array<[string, unknown, string | null]> = [
    ['parse error', undefined, 'malformed_packet'],
    ['transport error', new Error('RangeError: Max payload size exceeded'), 'payload_too_large'],
    ['transport error', new Error('payload too large'), 'payload_too_large'],
    [
      'transport error',
      new Error('RangeError: Invalid WebSocket frame: invalid opcode 7'),
      'malformed_packet',
    ],
    ['transport error', new Error('invalid heartbeat direction'), 'malformed_packet'],
    ['transport error', new Error('Error: read ECONNRESET'), null],
    ['transport close', undefined, null],
    ['ping timeout', undefined, null],
    ['forced close', undefined, null],
  ];
  for (const [reason, description, expected] of cases) {
    it(`${reason} (${description instanceof Error ? description.message : 'no detail'}) → ${expected}`, () => {
      assert.equal(classifyEngineClose(reason, description), expected);
    });
  }
});
