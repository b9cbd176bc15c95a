import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Encoder, type Packet } from 'socket.io-parser';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { AGENT_FRAMES, CUSTOMER_FRAMES, type FrameBound } from '../protocol/frame-limits.ts';
import { acceptNamespace, createBoundedParser } from './bounded-parser.ts';

const PAGE_BYTES = 64 * 1024;

/**
 * A decoder; `connected`, its connection joined both namespaces first (as any client does), and
 * the server accepted both (`accept`: what a namespace's `connection` does).
 */
function setup({ connected = true } = {}) {
  let clock = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger(
    'warn',
    new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const metrics = createMetrics();
  const parser = createBoundedParser({
    rules: {
      table: new Map<string, Readonly<Record<string, FrameBound>>>([
        ['/customer', CUSTOMER_FRAMES],
        ['/agent', AGENT_FRAMES],
      ]),
      pageBytes: PAGE_BYTES,
    },
    log,
    metrics,
    now: () => clock,
  });
  const decoder = new parser.Decoder();
  const decoded: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => decoded.push(packet));
  /** Feeds one frame; 'closed' when the decoder threw (Socket.IO then closes the connection). */
  const feed = (frame: string | Buffer): 'kept' | 'closed' => {
    try {
      decoder.add(frame);
      return 'kept';
    } catch {
      return 'closed';
    }
  };
  const accept = (name: string): void => acceptNamespace({ client: { decoder }, nsp: { name } });
  if (connected) {
    feed('0/customer,');
    feed('0/agent,');
    accept('/customer');
    accept('/agent');
    decoded.length = 0;
  }
  return { decoder, decoded, feed, accept, metrics, lines, tick: (ms: number) => (clock += ms) };
}

async function dropped(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.messagesDropped.get();
  return Object.fromEntries(
    values.map((v) => [`${v.labels.namespace}/${v.labels.event}/${v.labels.reason}`, v.value]),
  );
}

const encode = (packet: Packet): Array<string | Buffer> =>
  new Encoder().encode(packet) as Array<string | Buffer>;

describe('bounded parser', () => {
  it('passes the protocol’s own frames through unchanged, a packed snapshot with its attachment too', () => {
    const { decoded, feed, accept } = setup({ connected: false });
    const tree = Buffer.from('packed tree');
    const frames = [
      ...encode({ type: 0, nsp: '/customer' }),
      ...encode({
        type: 2,
        nsp: '/customer',
        id: 1,
        data: ['session:start', { protocol: 1, url: 'https://a.test/' }],
      }),
      ...encode({
        type: 2,
        nsp: '/customer',
        data: ['page:snapshot', { seq: 1, tree, compression: 'none' }],
      }),
      ...encode({ type: 2, nsp: '/customer', data: ['session:end'] }),
    ];
    for (const frame of frames) {
      assert.equal(feed(frame), 'kept');
      if (frame === frames[0]) accept('/customer'); // the server's answer to the CONNECT
    }
    assert.deepEqual(
      decoded.map((p) => [p.type, Array.isArray(p.data) ? p.data[0] : undefined]),
      [
        [0, undefined],
        [2, 'session:start'],
        [2, 'page:snapshot'],
        [2, 'session:end'],
      ],
    );
    const snapshot = (decoded[2]!.data as [string, { tree: Buffer }])[1];
    assert.deepEqual(snapshot.tree, tree);
  });

  it('drops 20,000 arguments on every registered event before Socket.IO sees them, and counts each', async () => {
    const { decoded, feed, metrics, lines } = setup();
    // 20,000 zeros: 40 KB, within a page event's bound here (64 KB), beyond every other's.
    const zeros = new Array<number>(20_000).fill(0).join(',');
    for (const event of Object.keys(CUSTOMER_FRAMES))
      assert.equal(feed(`2/customer,["${event}",${zeros}]`), 'kept', event);
    for (const event of Object.keys(AGENT_FRAMES))
      assert.equal(feed(`2/agent,["${event}",${zeros}]`), 'kept', event);
    assert.equal(decoded.length, 0);
    const counts = await dropped(metrics);
    // Page events may be that large, so they are parsed and refused for their argument count.
    assert.equal(counts['customer/page:batch/too_many_arguments'], 1);
    assert.equal(counts['customer/page:snapshot/too_many_arguments'], 1);
    assert.equal(counts['customer/page:pointer/payload_too_large'], 1);
    assert.equal(counts['agent/control:action/payload_too_large'], 1);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    assert.equal(total, Object.keys(CUSTOMER_FRAMES).length + Object.keys(AGENT_FRAMES).length);
    assert.equal(lines[0]?.msg, 'frame refused');
    assert.equal(lines[0]?.event, 'session:start');
    assert.equal(lines[0]?.code, 'too_many_arguments');
  });

  it('drops unknown events and events of the other namespace, keeping the connection', async () => {
    const { decoded, feed, metrics } = setup();
    assert.equal(feed('2/customer,["error","x"]'), 'kept');
    assert.equal(feed('2/agent,["page:batch",{}]'), 'kept');
    assert.equal(feed('2/customer,[7,"x"]'), 'kept');
    assert.equal(decoded.length, 0);
    assert.deepEqual(await dropped(metrics), {
      'customer/unknown/unknown_event': 2,
      'agent/unknown/unknown_event': 1,
    });
  });

  it('closes on what breaks the framing: a client ack, two attachments, an attachment out of place, bad JSON', async () => {
    const { feed, metrics } = setup();
    assert.equal(feed('3/customer,1["x"]'), 'closed');
    assert.equal(feed('52-/customer,["page:snapshot",{}]'), 'closed');
    assert.equal(feed(Buffer.from('stray')), 'closed');
    assert.equal(feed('2/customer,["page:batch",{'), 'closed');
    assert.equal(feed('2/customer,"x"'), 'closed');
    assert.deepEqual(await dropped(metrics), {
      'customer/unknown/bad_packet_type': 1,
      'customer/page:snapshot/bad_attachments': 1,
      'other/unknown/bad_attachments': 1,
      'customer/unknown/malformed_packet': 2,
    });
  });

  it('drops a binary packet with its attachment: on an event that takes none, or larger than a page', async () => {
    const { decoded, feed, metrics } = setup();
    const batch = encode({ type: 2, nsp: '/customer', data: ['page:batch', Buffer.from('x')] });
    const big = encode({
      type: 2,
      nsp: '/customer',
      data: ['page:snapshot', { tree: Buffer.alloc(PAGE_BYTES + 1) }],
    });
    const fine = encode({
      type: 2,
      nsp: '/customer',
      data: ['page:snapshot', { tree: Buffer.from('t') }],
    });
    for (const frame of [...batch, ...big, ...fine]) assert.equal(feed(frame), 'kept');
    assert.equal(decoded.length, 1, 'the next packet is read as usual');
    assert.deepEqual(await dropped(metrics), {
      'customer/page:batch/unexpected_binary': 1,
      'customer/page:snapshot/payload_too_large': 1,
    });
  });

  it('bounds the bytes one connection sends a second, and refills with time', async () => {
    const { decoded, feed, metrics, tick } = setup();
    const batch = `2/customer,["page:batch","${'x'.repeat(PAGE_BYTES - 100)}"]`;
    // A burst of two pages' worth, then nothing until the budget refills.
    assert.equal(feed(batch), 'kept');
    assert.equal(feed(batch), 'kept');
    assert.equal(feed(batch), 'kept');
    assert.equal(decoded.length, 2);
    tick(1000);
    assert.equal(feed(batch), 'kept');
    assert.equal(decoded.length, 3);
    assert.equal((await dropped(metrics))['customer/page:batch/rate_limited'], 1);
  });

  it('refuses a storm of namespace CONNECTs on one connection', async () => {
    const { decoded, feed, metrics } = setup({ connected: false });
    for (let i = 0; i < 20; i++) feed('0/customer,');
    assert.equal(decoded.length, 8);
    assert.equal((await dropped(metrics))['customer/unknown/too_many_connects'], 12);
  });

  it('counts packets for a namespace not connected to first, or not the server’s', async () => {
    const { decoded, feed, metrics, lines } = setup({ connected: false });
    // Socket.IO closes such a connection without a word: closed here, and counted.
    assert.equal(feed('2/customer,["page:batch",{}]'), 'closed');
    assert.equal(feed('1/agent,'), 'closed');
    assert.equal(feed('51-/customer,["page:snapshot",{"_placeholder":true,"num":0}]'), 'closed');
    // Passed on, so that Socket.IO answers "Invalid namespace"; an event there then closes.
    assert.equal(feed('0/nope,'), 'kept');
    assert.equal(feed('2/nope,["x"]'), 'closed');
    assert.equal(decoded.length, 1);
    assert.deepEqual(await dropped(metrics), {
      'customer/page:batch/bad_namespace': 1,
      'customer/page:snapshot/bad_namespace': 1,
      'agent/unknown/bad_namespace': 1,
      'other/unknown/bad_namespace': 2,
    });
    assert.equal(lines.filter((l) => l.code === 'bad_namespace').length, 5);
  });

  it('counts an event on a namespace whose CONNECT the server refused, or that was left', async () => {
    const { decoded, feed, accept, metrics } = setup({ connected: false });
    // A forged token: the agent namespace's middleware refuses, so nothing accepts it.
    assert.equal(feed('0/agent,{"token":"forged"}'), 'kept');
    assert.equal(feed('2/agent,["session:join",{}]'), 'closed');
    // Accepted, then left: its events are refused again.
    feed('0/customer,');
    accept('/customer');
    assert.equal(feed('2/customer,["page:pointer",{"x":1,"y":2}]'), 'kept');
    assert.equal(feed('1/customer,'), 'kept');
    assert.equal(feed('2/customer,["page:pointer",{"x":1,"y":2}]'), 'closed');
    assert.equal(decoded.filter((p) => p.type === 2).length, 1);
    assert.deepEqual(await dropped(metrics), {
      'agent/session:join/bad_namespace': 1,
      'customer/page:pointer/bad_namespace': 1,
    });
  });

  it('counts an attachment placeholder that points past the attachments', async () => {
    const { feed, metrics } = setup();
    assert.equal(
      feed('51-/customer,["page:snapshot",{"tree":{"_placeholder":true,"num":4}}]'),
      'kept',
    );
    assert.equal(feed(Buffer.from('tree')), 'closed');
    assert.deepEqual(await dropped(metrics), { 'customer/unknown/malformed_packet': 1 });
  });

  it('samples its log lines over every connection and says how many it left out', () => {
    const { feed, lines } = setup();
    for (let i = 0; i < 50; i++) feed('2/customer,["nope"]');
    assert.equal(lines.length, 10);
  });
});
