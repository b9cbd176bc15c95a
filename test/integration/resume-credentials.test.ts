/**
 * The resume credential against a real node: it works once, from its own origin, while the
 * session lives; a stolen copy used from another origin, a second use, a use after the end and a
 * malformed request are refused with a clear code, logged, counted and audited, and the
 * customer's session goes on. A hand-off is issued only for an origin of the site.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type HandoffResult,
  type PageBatch,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const SHOP = 'https://shop.test';
const ACCOUNT = 'https://account.shop.test';
const EVIL = 'https://evil.test';

describe('resume credentials', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];
  before(async () => {
    server = await startServer({ 'cross-origin': { allowedOrigins: [SHOP, ACCOUNT, EVIL] } });
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
  });

  const customer = (origin: string): Socket => {
    const socket = rawSocket(server.url, '/customer', { headers: { origin } });
    sockets.push(socket);
    return socket;
  };
  const resume = (origin: string, req: unknown): Promise<StartResult> =>
    customer(origin).timeout(5000).emitWithAck('session:resume', req) as Promise<StartResult>;
  const dropped = async (reason: string): Promise<number> => {
    const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('tandem_messages_dropped_total{') &&
          l.includes('event="session:resume"') &&
          l.includes(`reason="${reason}"`),
      );
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };

  it('refuses a stolen, replayed, malformed or late credential; the session goes on', async () => {
    const first = customer(SHOP);
    const started = (await first.timeout(5000).emitWithAck('session:start', {
      protocol: PROTOCOL_VERSION,
      url: `${SHOP}/`,
    })) as StartResult;
    assert.ok(started.ok);
    const { sessionId } = started;
    const agent = rawSocket(server.url, '/agent', { token: await mintTestToken({ name: 'Ann' }) });
    sockets.push(agent);
    const batches = record<PageBatch>(agent, 'page:batch');
    const joined = (await agent
      .timeout(5000)
      .emitWithAck('session:join', { protocol: PROTOCOL_VERSION, code: started.code })) as {
      ok: boolean;
    };
    assert.ok(joined.ok);

    // The page reloads: the credential works once, and a new one replaces it.
    first.disconnect();
    const reloaded = await resume(SHOP, {
      protocol: PROTOCOL_VERSION,
      sessionId,
      token: started.token,
    });
    assert.ok(reloaded.ok, JSON.stringify(reloaded));
    assert.notEqual(reloaded.token, started.token);
    const live = sockets.at(-1)!;

    const refusedBefore = await dropped('resume_refused');
    const invalidBefore = await dropped('invalid_message');
    const refusals: Array<[string, string, unknown]> = [
      ['replayed', SHOP, { protocol: PROTOCOL_VERSION, sessionId, token: started.token }],
      [
        'from another origin',
        EVIL,
        { protocol: PROTOCOL_VERSION, sessionId, token: reloaded.token },
      ],
      ['forged', SHOP, { protocol: PROTOCOL_VERSION, sessionId, token: 'A'.repeat(43) }],
      ['for no session', SHOP, { protocol: PROTOCOL_VERSION, sessionId: 'nope', token: 'x' }],
    ];
    for (const [what, origin, req] of refusals) {
      const result = await resume(origin, req);
      assert.equal(!result.ok && result.code, 'resume_refused', what);
      assert.match(!result.ok ? result.message : '', /used already|another origin|ended/, what);
    }
    const malformed = await resume(SHOP, { protocol: PROTOCOL_VERSION, sessionId, token: 7 });
    assert.equal(!malformed.ok && malformed.code, 'invalid_message');
    await waitFor(
      async () =>
        (await dropped('resume_refused')) - refusedBefore === refusals.length &&
        (await dropped('invalid_message')) - invalidBefore >= 1,
      'every refusal counted',
    );
    await waitFor(
      () =>
        server.logs.filter((l) => l.audit === true && l.event === 'session.resume_refused')
          .length >= refusals.length,
      'every refusal audited',
    );
    assert.ok(
      server.logs.some((l) => l.msg === 'message dropped' && l.code === 'resume_refused'),
      'and logged',
    );

    // The customer's session goes on: the reloaded page still streams to the agent.
    live.emit(
      'page:snapshot',
      pageSnapshot(1, [{ type: 'text', id: 4, text: 'cart' }], { url: `${SHOP}/cart` }),
    );
    live.emit('page:batch', {
      seq: 2,
      sentAt: Date.now(),
      ops: [{ op: 'text', id: 4, text: 'ok' }],
    });
    await waitFor(() => batches.some((b) => b.seq === 2), 'the session goes on');

    // A hand-off only for an origin of the site; it works once, from that origin only.
    const outside = (await live
      .timeout(5000)
      .emitWithAck('session:handoff', { origin: 'https://elsewhere.test' })) as HandoffResult;
    assert.equal(!outside.ok && outside.code, 'forbidden_origin');
    const handoff = (await live
      .timeout(5000)
      .emitWithAck('session:handoff', { origin: ACCOUNT })) as HandoffResult;
    assert.ok(handoff.ok);
    const wrongOrigin = await resume(SHOP, {
      protocol: PROTOCOL_VERSION,
      sessionId,
      token: handoff.token,
    });
    assert.equal(!wrongOrigin.ok && wrongOrigin.code, 'resume_refused');
    const hopped = await resume(ACCOUNT, {
      protocol: PROTOCOL_VERSION,
      sessionId,
      token: handoff.token,
    });
    assert.ok(hopped.ok, JSON.stringify(hopped));
    assert.ok(hopped.lastSeq !== undefined && hopped.lastSeq >= 2, 'the next page numbers on');
    const again = await resume(ACCOUNT, {
      protocol: PROTOCOL_VERSION,
      sessionId,
      token: handoff.token,
    });
    assert.equal(!again.ok && again.code, 'resume_refused');

    // After the end, no credential works.
    const ender = sockets.at(-2)!;
    ender.emit('session:end');
    await waitFor(async () => {
      const late = await resume(ACCOUNT, {
        protocol: PROTOCOL_VERSION,
        sessionId,
        token: hopped.token,
      });
      return !late.ok && late.code === 'resume_refused';
    }, 'refused after the end');
  });
});
