import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Socket } from 'socket.io';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import type { Parsed } from '../protocol/validate.ts';
import { createGuardScope, guardSocket, type InboundEvents } from './socket-guard.ts';

type Middleware = (packet: unknown[], next: (error?: Error) => void) => void;

/** Just what the guard uses of a Socket.IO socket: events in through `use`, `emit` out. */
class FakeSocket extends EventEmitter {
  readonly id: string;
  readonly data: { sessionId?: string } = {};
  readonly sent: unknown[][] = [];
  private readonly fns: Middleware[] = [];
  constructor(id: string) {
    super();
    this.id = id;
  }
  use(fn: Middleware): this {
    this.fns.push(fn);
    return this;
  }
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    this.sent.push([event, ...args]);
    return true;
  }
  /** A message from the peer, as Socket.IO delivers it: the middlewares in turn, then listeners. */
  receive(event: string, ...args: unknown[]): void {
    const packet = [event, ...args];
    const run = (i: number): void => {
      const fn = this.fns[i];
      if (!fn) {
        super.emit(event, ...args);
        return;
      }
      fn(packet, (error) => {
        if (!error) run(i + 1);
      });
    };
    run(0);
  }
}

const asSocket = (fake: FakeSocket): Socket<InboundEvents> =>
  fake as unknown as Socket<InboundEvents>;
const quiet = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
const parseNumber = (input: unknown): Parsed<number> =>
  typeof input === 'number'
    ? { ok: true, value: input }
    : { ok: false, code: 'invalid_message', message: 'not a number' };

async function dropped(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.messagesDropped.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.event}/${v.labels.reason}`, v.value]));
}

/** A scope of its own, for a socket the test builds itself. */
const setupScope = () =>
  createGuardScope({
    namespace: 'customer',
    log: quiet,
    metrics: createMetrics(),
    messagesPerSecond: 10,
  });

function setup(messagesPerSecond = 10) {
  let clock = 1_000_000;
  const metrics = createMetrics();
  const scope = createGuardScope({
    namespace: 'customer',
    log: quiet,
    metrics,
    messagesPerSecond,
    now: () => clock,
  });
  const connect = (id: string) => {
    const fake = new FakeSocket(id);
    return { fake, guard: guardSocket(asSocket(fake), scope) };
  };
  return { metrics, connect, tick: (ms: number) => (clock += ms) };
}

describe('guardSocket', () => {
  it('validates and hands over one payload, answering the ack of a refused one', () => {
    const { connect } = setup();
    const { fake, guard } = connect('a');
    const seen: number[] = [];
    guard.on('n', parseNumber, (value) => void seen.push(value));
    fake.receive('n', 7);
    const acks: unknown[] = [];
    fake.receive('n', 'seven', (reply: unknown) => acks.push(reply));
    assert.deepEqual(seen, [7]);
    assert.deepEqual(acks, [{ ok: false, code: 'invalid_message', message: 'not a number' }]);
  });

  it('takes events through one middleware after those before it, with no listener per event', () => {
    const fake = new FakeSocket('a');
    // A privilege check registered first (as the agent namespace's is) stops what it refuses.
    fake.use((packet, next) => (packet[0] === 'secret' ? undefined : next()));
    const guard = guardSocket(asSocket(fake), setupScope());
    const seen: unknown[] = [];
    guard.on('secret', parseNumber, (value) => void seen.push(['secret', value]));
    guard.on('n', parseNumber, (value) => void seen.push(['n', value]));
    fake.receive('secret', 1);
    fake.receive('n', 2);
    assert.deepEqual(seen, [['n', 2]]);
    assert.deepEqual(fake.eventNames(), [], 'no listener registered on the socket');
  });

  it('drops events no handler was registered for, counted as unknown', async () => {
    const { metrics, connect } = setup();
    const { fake, guard } = connect('a');
    guard.onSignal('ping', () => undefined);
    fake.receive('ping');
    fake.receive('made:up', 1);
    assert.deepEqual(await dropped(metrics), { 'unknown/unknown_event': 1 });
    assert.deepEqual(fake.sent[0]?.[0], 'protocol:error');
  });

  it('knows the events of its namespace on every connection that shares the scope', async () => {
    const { metrics, connect } = setup();
    const first = connect('a');
    const second = connect('b');
    let calls = 0;
    for (const { guard } of [first, second]) guard.onSignal('ping', () => void (calls += 1));
    second.fake.receive('ping');
    first.fake.receive('ping');
    assert.equal(calls, 2);
    assert.deepEqual(await dropped(metrics), {});
  });

  it('limits each connection to its own bucket: twice the rate at once, then the rate', async () => {
    const { metrics, connect, tick } = setup(2);
    const a = connect('a');
    const b = connect('b');
    let handled = 0;
    for (const { guard } of [a, b]) guard.onSignal('ping', () => void (handled += 1));
    for (let i = 0; i < 5; i++) a.fake.receive('ping');
    assert.equal(handled, 4);
    b.fake.receive('ping');
    assert.equal(handled, 5, 'another connection has its own bucket');
    tick(500);
    a.fake.receive('ping');
    a.fake.receive('ping');
    assert.equal(handled, 6, 'half a second refills one token at 2/s');
    assert.deepEqual(await dropped(metrics), { 'ping/rate_limited': 2 });
  });

  it('answers a handler that fails with an internal error, and keeps going', async () => {
    const { connect } = setup();
    const { fake, guard } = connect('a');
    guard.on('n', parseNumber, async (value, ack) => {
      if (value < 0) throw new Error('boom');
      ack?.({ ok: true });
    });
    const acks: unknown[] = [];
    fake.receive('n', -1, (reply: unknown) => acks.push(reply));
    fake.receive('n', 1, (reply: unknown) => acks.push(reply));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(acks, [
      { ok: true },
      { ok: false, code: 'internal', message: 'the server could not handle this message' },
    ]);
  });
});
