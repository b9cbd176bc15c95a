/**
 * The boundary below the handlers, against a real node: the frames that used to take a node down
 * (50,000 arguments on any event, issue 12) are refused and counted by the parser, and a session
 * beside them goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import type { Socket } from 'socket.io-client';
import { packTree } from '../../server/src/protocol/packed-tree.ts';
import { AGENT_FRAMES, CUSTOMER_FRAMES } from '../../server/src/protocol/frame-limits.ts';
import { PROTOCOL_VERSION, type PageBatch } from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { eventFrame, openRawFrames, type RawFrameSocket } from '../support/raw-frames.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { rawCustomerInSession } from '../support/customer-session.ts';
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
  server = await startServer({
    // Room for two snapshots inflated to the protocol's 8 MiB bound a minute.
    limits: {
      maxMessageBytes: 256 * 1024,
      messagesPerSecond: 2000,
      inflatedBytesPerMinute: 16 * 1024 * 1024,
    },
  });
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
    const { customer, code } = await rawCustomerInSession(server.url);
    closers.push(customer);
    customer.emit('page:snapshot', pageSnapshot(1, [{ type: 'text', id: 4, text: 'hi' }]));
    const agent = rawSocket(server.url, '/agent', { token });
    closers.push(agent);
    const batches = record<PageBatch>(agent, 'page:batch');
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code: code,
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

describe('frames refused below the handlers', () => {
  // Each on a connection of its own (joined to /customer): what it sends, and what it counts.
  const cases: Array<{
    name: string;
    send: (peer: RawFrameSocket) => void;
    counted: string;
    closes: boolean;
  }> = [
    {
      name: 'an Engine.IO packet that does not decode',
      send: (p) => p.ws.send('x'),
      counted: 'engine/unknown/malformed_packet',
      closes: true,
    },
    {
      name: 'a ping from a client',
      send: (p) => p.ws.send('2'),
      counted: 'engine/unknown/malformed_packet',
      closes: true,
    },
    {
      name: 'a WebSocket frame past maxHttpBufferSize',
      send: (p) => p.ws.send(`4${'x'.repeat(300 * 1024)}`),
      counted: 'engine/unknown/payload_too_large',
      closes: true,
    },
    {
      name: 'a packet type that does not exist',
      send: (p) => p.send('9/customer,'),
      counted: 'customer/unknown/malformed_packet',
      closes: true,
    },
    {
      name: 'truncated JSON',
      send: (p) => p.send('2/customer,["page:batch",{"seq":'),
      counted: 'customer/unknown/malformed_packet',
      closes: true,
    },
    {
      name: 'a CONNECT to a namespace the server does not have',
      send: (p) => p.send('0/nope,'),
      counted: 'other/unknown/bad_namespace',
      closes: false,
    },
    {
      name: 'an event on a namespace not connected to',
      send: (p) => p.send('2/agent,["session:join",{}]'),
      counted: 'agent/session:join/bad_namespace',
      closes: true,
    },
    {
      name: 'two attachments',
      send: (p) => p.send('52-/customer,["page:snapshot",{}]'),
      counted: 'customer/page:snapshot/bad_attachments',
      closes: true,
    },
    {
      name: 'an attachment placeholder past the attachments',
      send: (p) => {
        p.send('51-/customer,["page:snapshot",{"tree":{"_placeholder":true,"num":3}}]');
        p.send(Buffer.from('tree'));
      },
      counted: 'customer/unknown/malformed_packet',
      closes: true,
    },
  ];
  for (const { name, send, counted, closes } of cases) {
    it(`counts and logs ${name}`, async () => {
      const before = await dropped();
      const peer = await hostile('/customer');
      send(peer);
      await waitFor(
        async () => ((await dropped()).get(counted) ?? 0) > (before.get(counted) ?? 0),
        `${counted} counted`,
      );
      if (closes) await peer.closed;
      else assert.equal(peer.ws.readyState, peer.ws.OPEN);
      assert.equal(server.process.exitCode, null, server.stderr());
    });
  }
  it('counts and logs an event sent on the agent namespace after its token was refused', async () => {
    const counted = 'agent/session:join/bad_namespace';
    const before = await dropped();
    const peer = await openRawFrames(server.url, null);
    closers.push(peer);
    peer.send(`0/agent,${JSON.stringify({ token: 'forged.token.here' })}`);
    await waitFor(() => peer.received.some((p) => p.startsWith('4/agent,')), 'connect refused');
    peer.send('2/agent,["session:join",{}]');
    await waitFor(
      async () => ((await dropped()).get(counted) ?? 0) > (before.get(counted) ?? 0),
      `${counted} counted`,
    );
    await peer.closed;
    assert.equal(server.process.exitCode, null, server.stderr());
  });

  it('logs what Engine.IO refuses', async () => {
    // The parser's own refusals are sampled over the node (ten lines a second): bounded-parser.test.ts.
    await waitFor(
      () => server.logs.some((l) => l.msg === 'connection closed: frame refused'),
      'an Engine.IO refusal logged',
    );
  });
});

/** A customer in a session of its own, and the session's code. */
async function customerInSession(): Promise<{ customer: Socket; code: string }> {
  const { customer, code } = await rawCustomerInSession(server.url);
  closers.push(customer);
  return { customer, code };
}

/** A snapshot as the snippet sends it: the packed tree, deflated. */
function packed(seq: number, text: string, tree?: Uint8Array): Record<string, unknown> {
  const { doc, ...head } = pageSnapshot(seq, [{ type: 'text', id: 4, text }]);
  return { ...head, tree: tree ?? deflateRawSync(packTree(doc)), compression: 'deflate-raw' };
}

const batch = (seq: number, text: string): PageBatch => ({
  seq,
  sentAt: Date.now(),
  ops: [{ op: 'text', id: 4, text }],
});

describe('packed snapshots', () => {
  it('are inflated only in a session and within the connection budget, and keep their place before the batches that follow', async () => {
    const { customer, code } = await customerInSession();
    const agent = rawSocket(server.url, '/agent', { token });
    closers.push(agent);
    const seen: string[] = [];
    agent.on('page:snapshot', (s: { seq: number }) => seen.push(`snapshot ${s.seq}`));
    agent.on('page:batch', (b: PageBatch) => seen.push(`batch ${b.seq}`));
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code,
    })) as { ok: boolean };
    assert.ok(joined.ok);

    // The batch follows at once, while the snapshot is still being inflated.
    customer.emit('page:snapshot', packed(1, 'hello'));
    customer.emit('page:batch', batch(2, 'next'));
    await waitFor(() => seen.includes('batch 2'), 'the batch relayed');
    assert.deepEqual(seen, ['snapshot 1', 'batch 2']);

    const before = await dropped();
    // 9 KiB of deflate that inflates to 9 MiB.
    const bomb = deflateRawSync(Buffer.alloc(9 * 1024 * 1024));
    const outsider = rawSocket(server.url, '/customer');
    closers.push(outsider);
    await waitFor(() => outsider.connected, 'outsider connected');
    for (let i = 0; i < 5; i++) outsider.emit('page:snapshot', packed(1, 'x', bomb));
    const { customer: bomber } = await customerInSession();
    for (let i = 0; i < 6; i++) bomber.emit('page:snapshot', packed(1, 'x', bomb));
    const since = async (reason: string) =>
      ((await dropped()).get(`customer/page:snapshot/${reason}`) ?? 0) -
      (before.get(`customer/page:snapshot/${reason}`) ?? 0);
    await waitFor(
      async () => (await since('payload_too_large')) + (await since('inflate_budget')) >= 6,
      'every bomb counted',
    );
    assert.equal(await since('not_in_session'), 5, 'not inflated outside a session');
    // The budget holds two inflates to the bound; the rest are refused without inflating.
    assert.equal(await since('payload_too_large'), 2);
    assert.equal(await since('inflate_budget'), 4);
    assert.ok(server.logs.some((l) => l.msg === 'message dropped' && l.code === 'inflate_budget'));

    customer.emit('page:batch', batch(3, 'still here'));
    await waitFor(() => seen.includes('batch 3'), 'the session beside goes on');
    assert.equal(server.process.exitCode, null, server.stderr());
  });
});
