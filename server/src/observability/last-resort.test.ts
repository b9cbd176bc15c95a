import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { installLastResort, isContained } from './last-resort.ts';

/** An error as Socket.IO's dispatch throws it from a handler (its stack names the frames). */
function handlerError(): Error {
  const error = new RangeError('Maximum call stack size exceeded');
  error.stack = `RangeError: Maximum call stack size exceeded
    at Socket.emit (node:events:524:28)
    at Socket.emitUntyped (/app/node_modules/socket.io/dist/typed-events.js:69:22)
    at /app/node_modules/socket.io/dist/socket.js:693:39`;
  return error;
}

function setup(maxPerMinute = 3) {
  let clock = 0;
  const target = new EventEmitter();
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger(
    'info',
    new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const metrics = createMetrics();
  const exits: Array<[number, string]> = [];
  installLastResort(target, {
    log,
    counter: metrics.uncaughtErrors,
    shutDown: (code, reason) => exits.push([code, reason]),
    maxPerMinute,
    now: () => clock,
  });
  const counts = async () =>
    Object.fromEntries(
      (await metrics.uncaughtErrors.get()).values.map((v) => [
        `${v.labels.kind}/${v.labels.action}`,
        v.value,
      ]),
    );
  return { target, lines, exits, counts, tick: (ms: number) => (clock += ms) };
}

describe('last resort', () => {
  it('tells an exception that unwound one handler from any other', () => {
    assert.equal(isContained(handlerError()), true);
    assert.equal(isContained(new Error('somewhere else')), false);
    assert.equal(isContained('not an error'), false);
  });

  it('logs and counts a rejection and a contained exception, and keeps the node up', async () => {
    const { target, lines, exits, counts } = setup();
    target.emit('unhandledRejection', new Error('redis command cut off'));
    target.emit('uncaughtException', handlerError(), 'uncaughtException');
    assert.deepEqual(exits, []);
    assert.deepEqual(await counts(), { 'rejection/continued': 1, 'exception/continued': 1 });
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        [50, 'unhandled rejection'],
        [50, 'uncaught exception in a message handler: message dropped'],
      ],
    );
  });

  it('drains and exits non-zero, once, on any other exception', async () => {
    const { target, lines, exits, counts } = setup();
    target.emit('uncaughtException', new TypeError('state half-written'), 'uncaughtException');
    target.emit('uncaughtException', new TypeError('again, while draining'), 'uncaughtException');
    assert.deepEqual(exits, [[1, 'uncaughtException']]);
    assert.deepEqual(await counts(), { 'exception/exited': 2 });
    assert.equal(lines[0]?.level, 60);
  });

  it('drains when contained errors keep coming, and forgives them after a minute', async () => {
    const { target, exits, tick } = setup(3);
    for (let i = 0; i < 3; i++) target.emit('uncaughtException', handlerError(), 'x');
    tick(60_000);
    for (let i = 0; i < 3; i++) target.emit('unhandledRejection', new Error('r'));
    assert.deepEqual(exits, []);
    target.emit('unhandledRejection', new Error('one too many'));
    assert.deepEqual(exits, [[1, 'unhandledRejection']]);
  });
});
