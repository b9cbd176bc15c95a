/**
 * Outbound buffer caps against a real node: an agent that stops reading while asking for resyncs
 * (each one the whole page again) is refused its resyncs past one a second and dropped once its
 * buffers pass `limits.maxOutboundBytes`, counted and logged; the node's memory stays bounded, and
 * another agent of the same session receives every batch, in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION, type PageBatch } from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { openRawFrames, type RawFrameSocket } from '../support/raw-frames.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { rawCustomerInSession } from '../support/customer-session.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';
import { scrape, sumSamples } from '../support/metrics.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const MiB = 1024 * 1024;
const MAX_MESSAGE = 2 * MiB;
const MAX_OUTBOUND = 4 * MiB;

let server: RunningServer;
let token = '';
const closers: Array<{ close(): void } | { disconnect(): void }> = [];

/** Every sample of the metrics whose line starts with `prefix`, summed. */
async function metric(prefix: string): Promise<number> {
  return sumSamples(await scrape(server.metricsUrl), prefix);
}

before(async () => {
  token = await mintTestToken({ name: 'Alice' });
  server = await startServer({
    limits: {
      maxMessageBytes: MAX_MESSAGE,
      maxOutboundBytes: MAX_OUTBOUND,
      messagesPerSecond: 2000,
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

describe('outbound buffer caps', () => {
  it('drops an agent that does not read, counts it, keeps memory bounded, and the session goes on', async () => {
    const { customer, code } = await rawCustomerInSession(server.url);
    closers.push(customer);
    // A page of about 1.9 MB: every resync sends it again.
    customer.emit(
      'page:snapshot',
      pageSnapshot(1, [{ type: 'text', id: 4, text: 'x'.repeat(1_900_000) }]),
    );

    const healthy = rawSocket(server.url, '/agent', { token });
    closers.push(healthy);
    const batches = record<PageBatch>(healthy, 'page:batch');
    const snapshots = record<{ seq: number }>(healthy, 'page:snapshot');
    const joined = (await healthy.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code: code,
    })) as { ok: boolean };
    assert.ok(joined.ok);
    await waitFor(() => snapshots.length > 0, 'the healthy agent has the page');

    const rssBefore = await metric('tandem_process_resident_memory_bytes');
    const droppedBefore = await metric(
      'tandem_connections_dropped_total{namespace="agent",reason="outbound_buffer_full"}',
    );
    const slow: RawFrameSocket = await openRawFrames(server.url, '/agent', { auth: { token } });
    closers.push(slow);
    slow.send(
      `2/agent,1${JSON.stringify(['session:join', { protocol: PROTOCOL_VERSION, code: code }])}`,
    );
    await waitFor(
      () => slow.received.some((f) => f.startsWith('3/agent,1[{"ok":true')),
      'the slow agent joined',
    );
    // From now on it reads nothing: what the node sends it piles up.
    slow.ws.pause();

    const dropped = async () =>
      (await metric(
        'tandem_connections_dropped_total{namespace="agent",reason="outbound_buffer_full"}',
      )) - droppedBefore;
    // The customer keeps typing, one batch at a time as the healthy agent receives it; the slow
    // agent asks for a resync with every one.
    let seq = 1;
    const type = async () => {
      seq += 1;
      const sent = seq;
      customer.emit('page:batch', {
        seq: sent,
        sentAt: Date.now(),
        ops: [{ op: 'text', id: 4, text: `v${sent}` }],
      });
      slow.send('2/agent,["page:resync"]');
      await waitFor(() => batches.some((b) => b.seq === sent), `batch ${sent} relayed`);
    };
    // Ten at once: one is granted, the others are refused.
    for (let i = 0; i < 10; i++) slow.send('2/agent,["page:resync"]');
    while ((await dropped()) === 0) {
      assert.ok(seq < 5000, 'the slow agent was never dropped');
      await type();
    }
    for (let i = 0; i < 20; i++) await type();

    assert.equal(await dropped(), 1);
    const line = server.logs.find((l) => l.msg === 'connection dropped: outbound buffer full');
    assert.ok(line, 'logged');
    assert.equal(line.code, 'outbound_buffer_full');
    // Dropped at the first message past the cap: at most one page's worth beyond it.
    assert.ok(
      Number(line.bytes) <= MAX_OUTBOUND + MAX_MESSAGE,
      `dropped at ${String(line.bytes)} bytes`,
    );
    assert.ok(
      (await metric(
        'tandem_messages_dropped_total{namespace="agent",event="page:resync",reason="resync_limited"',
      )) > 0,
    );
    // Every resync granted sent the page again; without the cap each stayed in the node.
    const rssGrowth = (await metric('tandem_process_resident_memory_bytes')) - rssBefore;
    console.log(`resident memory grew by ${Math.round(rssGrowth / MiB)} MiB over ${seq} batches`);
    assert.ok(rssGrowth < 64 * MiB, `resident memory grew by ${Math.round(rssGrowth / MiB)} MiB`);

    // The healthy agent has every batch, once and in order, and the session goes on.
    assert.deepEqual(
      batches.map((b) => b.seq),
      Array.from({ length: seq - 1 }, (_, i) => i + 2),
    );
    assert.equal(server.process.exitCode, null, server.stderr());
  });

  it('catches a joining agent up on a heavy history without passing its cap: the customer resends its page instead', async () => {
    const { customer, code } = await rawCustomerInSession(server.url);
    closers.push(customer);
    const resyncs = record<{ reason: string }>(customer, 'page:resync');
    customer.emit('page:snapshot', pageSnapshot(1, [{ type: 'text', id: 4, text: 'start' }]));
    // Twelve batches of 0.45 MB each (a canvas redrawn, say): 5.4 MB of history, more than the
    // 4 MiB cap of an agent that would get it in one burst.
    const heavy = 'y'.repeat(450_000);
    const relayed = () => metric('tandem_messages_relayed_total{event="page:batch"}');
    const relayedBefore = await relayed();
    // Spaced as the connection's inbound budget (maxMessageBytes a second) allows.
    for (let seq = 2; seq <= 13; seq++) {
      customer.emit('page:batch', {
        seq,
        sentAt: Date.now(),
        ops: [{ op: 'text', id: 4, text: `${seq}${heavy}` }],
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await waitFor(async () => (await relayed()) - relayedBefore >= 12, 'the history stored');

    const droppedBefore = await metric(
      'tandem_connections_dropped_total{namespace="agent",reason="outbound_buffer_full"}',
    );
    const agent = rawSocket(server.url, '/agent', { token });
    closers.push(agent);
    const snapshots = record<{ seq: number }>(agent, 'page:snapshot');
    const joined = (await agent.timeout(5000).emitWithAck('session:join', {
      protocol: PROTOCOL_VERSION,
      code: code,
    })) as { ok: boolean };
    assert.ok(joined.ok);
    // The catch-up stops short of the cap and asks the customer for its current page.
    await waitFor(() => resyncs.some((r) => r.reason === 'compact'), 'a compacting resync');
    customer.emit('page:snapshot', pageSnapshot(14, [{ type: 'text', id: 4, text: 'now' }]));
    await waitFor(() => snapshots.some((snap) => snap.seq === 14), 'the current page');
    assert.ok(agent.connected, 'the agent is still connected');
    assert.equal(
      await metric(
        'tandem_connections_dropped_total{namespace="agent",reason="outbound_buffer_full"}',
      ),
      droppedBefore,
      'nobody was dropped',
    );
  });
});
