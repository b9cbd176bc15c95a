/**
 * The boundary below the handlers, against a real node: the frames that used to take a node down
 * (50,000 arguments on any event, issue 12) are refused and counted by the parser, and a session
 * beside them goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AGENT_FRAMES, CUSTOMER_FRAMES } from '../../server/src/protocol/frame-limits.ts';
import {
  PROTOCOL_VERSION,
  type PageBatch,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { eventFrame, openRawFrames, type RawFrameSocket } from '../support/raw-frames.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let server: RunningServer;
let token = '';
const closers: Array<{ close(): void } | { disconnect(): void }> = [];

async function dropped(): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m =
      /^tandem_messages_dropped_total\{namespace="([^"]*)",event="([^"]*)",reason="([^"]*)"\} (\d+)/.exec(
        line,
      );
    if (m) counts.set(`${m[1]}/${m[2]}/${m[3]}`, Number(m[4]));
  }
  return counts;
}

const total = (counts: Map<string, number>, reason?: string): number =>
  [...counts].filter(([k]) => !reason || k.endsWith(`/${reason}`)).reduce((s, [, v]) => s + v, 0);

async function hostile(namespace: '/customer' | '/agent'): Promise<RawFrameSocket> {
  const peer = await openRawFrames(
    server.url,
    namespace,
    namespace === '/agent' ? { auth: { token } } : {},
  );
  closers.push(peer);
  return peer;
}

before(async () => {
  token = await mintTestToken({ name: 'Alice' });
  server = await startServer({ limits: { maxMessageBytes: 256 * 1024, messagesPerSecond: 2000 } });
});

after(async () => {
  for (const c of closers) {
    if ('close' in c) c.close();
    else c.disconnect();
  }
  await server.stop();
});

describe('frame bounds', () => {
  it('refuses 50,000 arguments on every event of both namespaces, and the node and a session beside it go on', async () => {
    const customer = rawSocket(server.url, '/customer');
    closers.push(customer);
    const start = (await customer.timeout(5000).emitWithAck('session:start', {
      protocol: PROTOCOL_VERSION,
      url: 'https://shop.test/',
    })) as StartResult;
    assert.ok(start.ok);
    customer.emit('page:snapshot', pageSnapshot(1, [{ type: 'text', id: 4, text: 'hi' }]));
    const agent = rawSocket(server.url, '/agent', { token });
    closers.push(agent);
    const batches = record<PageBatch>(agent, 'page:batch');
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code: start.code,
    })) as { ok: boolean };
    assert.ok(joined.ok);

    const before = await dropped();
    const zeros = new Array<number>(50_000).fill(0).join(',');
    const customerPeer = await hostile('/customer');
    const agentPeer = await hostile('/agent');
    const frames: Array<[RawFrameSocket, string]> = [
      ...Object.keys(CUSTOMER_FRAMES).map((e): [RawFrameSocket, string] => [
        customerPeer,
        eventFrame('/customer', e, zeros),
      ]),
      ...Object.keys(AGENT_FRAMES).map((e): [RawFrameSocket, string] => [
        agentPeer,
        eventFrame('/agent', e, zeros),
      ]),
      // With an acknowledgement asked for, and an event nobody registered.
      [customerPeer, eventFrame('/customer', 'page:batch', zeros, 7)],
      [customerPeer, eventFrame('/customer', 'no-such-event', zeros)],
      [customerPeer, eventFrame('/customer', 'error', '"boom"')],
    ];
    for (const [peer, frame] of frames) peer.send(frame);
    const expected = frames.length;
    await waitFor(
      async () => total(await dropped()) - total(before) >= expected,
      'every frame counted',
    );

    const after = await dropped();
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    assert.equal(delta('customer/page:pointer/payload_too_large'), 1);
    assert.equal(delta('customer/page:batch/too_many_arguments'), 2);
    assert.equal(delta('agent/session:join/payload_too_large'), 1);
    assert.equal(delta('customer/unknown/unknown_event') >= 1, true);
    assert.equal(server.process.exitCode, null, server.stderr());
    // The hostile connections stay open: a refused frame is dropped, not fatal.
    assert.equal(customerPeer.ws.readyState, customerPeer.ws.OPEN);
    assert.ok(
      server.logs.some((l) => l.msg === 'frame refused' && l.code === 'too_many_arguments'),
    );

    customer.emit('page:batch', {
      seq: 2,
      sentAt: Date.now(),
      ops: [{ op: 'text', id: 4, text: 'on' }],
    });
    await waitFor(() => batches.some((b) => b.seq === 2), 'the session goes on');
  });

  it('counts and logs a frame Socket.IO’s own parser refuses, and closes only that connection', async () => {
    const before = await dropped();
    const peer = await hostile('/customer');
    peer.send('2/customer,"not an array"');
    assert.equal(await peer.closed, 1005);
    await waitFor(
      async () => total(await dropped(), 'malformed_packet') > total(before, 'malformed_packet'),
      'the malformed frame counted',
    );
    const client = await hostile('/customer');
    client.send('3/customer,1["ack from a client"]');
    await client.closed;
    assert.equal(total(await dropped(), 'bad_packet_type') - total(before, 'bad_packet_type'), 1);
    assert.equal(server.process.exitCode, null);
  });
});
