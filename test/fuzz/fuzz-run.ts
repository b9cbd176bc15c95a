/**
 * The fuzzer's run against a real node (test/support/server.ts): a legitimate session (a customer
 * and an agent) streams batches while hostile connections, with and without a valid agent token,
 * send `frames` hostile frames (hostile-frames.ts), deflate bombs, reconnect and CONNECT storms,
 * and an agent that never reads asks for resyncs. Bounded (a frame count), self-stopping, seeded.
 */
import { deflateRawSync } from 'node:zlib';
import type { Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type PageBatch,
  type StartResult,
} from '../../server/src/protocol/index.ts';
import { mintTestToken } from '../support/agent-tokens.ts';
import { pageSnapshot } from '../support/pages.ts';
import { openRawFrames, type RawFrameSocket } from '../support/raw-frames.ts';
import { rawSocket, record } from '../support/raw-sockets.ts';
import type { RunningServer } from '../support/server.ts';
import { waitFor } from '../support/wait.ts';
import { createRandom, hostileFrame, type HostileFrame, type Namespace } from './hostile-frames.ts';

/** The node's config for a run: small bounds, so that every budget is reached. */
export const FUZZ_LIMITS = {
  maxMessageBytes: 256 * 1024,
  maxOutboundBytes: 256 * 1024,
  inflatedBytesPerMinute: 16 * 1024 * 1024,
  messagesPerSecond: 100_000,
  joinAttemptsPerMinute: 1000,
};

export interface FuzzReport {
  seed: number;
  framesSent: number;
  /** Drops counted by the node during the run, by reason (every namespace and event). */
  droppedByReason: Map<string, number>;
  /** Connections the node dropped, by reason. */
  connectionsDropped: Map<string, number>;
  /** Reasons each kind of attack needed one of, and the kinds that got none. */
  uncounted: string[];
  /** Batch sequence numbers the legitimate agent received, in order, and how many were sent. */
  legitReceived: number[];
  legitSent: number;
  rssBefore: number;
  rssAfter: number;
}

/** Every sample of `name`, summed by the value of `label`. */
async function sumsBy(
  server: RunningServer,
  name: string,
  label: string,
): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '';
    sums.set(value, (sums.get(value) ?? 0) + Number(line.split(' ').pop()));
  }
  return sums;
}

const rss = async (server: RunningServer): Promise<number> => {
  const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
  return Number(/^tandem_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
};

const delta = (after: Map<string, number>, before: Map<string, number>): Map<string, number> =>
  new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));

/** Lets the node (and this process) breathe between attacks: no frame is lost to our own buffers. */
const breathe = () => new Promise((resolve) => setImmediate(resolve));

export async function runFuzz(
  server: RunningServer,
  {
    frames,
    seed,
    log = () => undefined,
  }: { frames: number; seed: number; log?: (line: string) => void },
): Promise<FuzzReport> {
  const random = createRandom(seed);
  const token = await mintTestToken({ name: 'Fuzz' });
  const closers: Array<() => void> = [];
  const droppedBefore = await sumsBy(server, 'tandem_messages_dropped_total', 'reason');
  const connectionsBefore = await sumsBy(server, 'tandem_connections_dropped_total', 'reason');

  // The legitimate session beside the attack.
  const customer = rawSocket(server.url, '/customer');
  closers.push(() => customer.disconnect());
  const start = (await customer.timeout(5000).emitWithAck('session:start', {
    protocol: PROTOCOL_VERSION,
    url: 'https://shop.test/',
  })) as StartResult;
  if (!start.ok) throw new Error(`legit session: ${start.code}`);
  customer.emit(
    'page:snapshot',
    pageSnapshot(1, [{ type: 'text', id: 4, text: 'x'.repeat(200_000) }]),
  );
  const agent = rawSocket(server.url, '/agent', { token });
  closers.push(() => agent.disconnect());
  const received = record<PageBatch>(agent, 'page:batch');
  const joined = (await agent.timeout(5000).emitWithAck('session:join', {
    protocol: PROTOCOL_VERSION,
    code: start.code,
  })) as { ok: boolean };
  if (!joined.ok) throw new Error('legit agent could not join');
  const rssBefore = await rss(server);

  let legitSent = 1;
  let attacking = true;
  const legit = (async () => {
    // One batch at a time as the agent receives it, through the attack and a little after.
    let after = 0;
    while (attacking || after++ < 20) {
      const seq = ++legitSent;
      customer.emit('page:batch', {
        seq,
        sentAt: Date.now(),
        ops: [{ op: 'text', id: 4, text: `v${seq}` }],
      });
      await waitFor(() => received.some((b) => b.seq === seq), `legit batch ${seq}`, 20_000, 5);
    }
  })();

  // Hostile connections that stay: customers without a session, agents with a token.
  const pool: Record<Namespace, RawFrameSocket[]> = { '/customer': [], '/agent': [] };
  const open = async (ns: Namespace): Promise<RawFrameSocket> => {
    const peer = await openRawFrames(server.url, ns, ns === '/agent' ? { auth: { token } } : {});
    // A connection the node closed may still be written to: its errors are expected.
    peer.ws.on('error', () => undefined);
    closers.push(() => peer.close());
    return peer;
  };
  for (let i = 0; i < 4; i++) {
    pool['/customer'].push(await open('/customer'));
    pool['/agent'].push(await open('/agent'));
  }
  const peerFor = async (ns: Namespace): Promise<RawFrameSocket> => {
    const list = pool[ns];
    const i = Math.floor(random() * list.length);
    if (list[i]!.ws.readyState !== list[i]!.ws.OPEN) list[i] = await open(ns);
    return list[i]!;
  };

  // A customer in a session of its own sends deflate bombs; an agent that never reads asks for resyncs.
  const bomber: Socket = rawSocket(server.url, '/customer');
  closers.push(() => bomber.disconnect());
  await bomber
    .timeout(5000)
    .emitWithAck('session:start', { protocol: PROTOCOL_VERSION, url: 'https://x.test/' });
  const bomb = deflateRawSync(Buffer.alloc(9 * 1024 * 1024));
  const packed = {
    seq: 1,
    url: 'https://x.test/',
    title: 't',
    viewport: { width: 1, height: 1 },
    tree: bomb,
    compression: 'deflate-raw',
  };
  const sleeper = await open('/agent');
  sleeper.send(
    `2/agent,1${JSON.stringify(['session:join', { protocol: PROTOCOL_VERSION, code: start.code }])}`,
  );
  await waitFor(
    () => sleeper.received.some((f) => f.startsWith('3/agent,1[')),
    'the sleeper joined',
  );
  sleeper.ws.pause();

  const needed = new Map<string, readonly string[]>();
  const note = (frame: Pick<HostileFrame, 'kind' | 'reasons'>) =>
    needed.set(frame.kind, frame.reasons);
  let sent = 0;
  while (sent < frames) {
    const roll = random();
    if (roll < 0.02) {
      // Deflate bombs, in a session and outside one.
      bomber.emit('page:snapshot', packed);
      const outsider = await peerFor('/customer');
      outsider.send(
        `51-/customer,${JSON.stringify(['page:snapshot', { ...packed, tree: { _placeholder: true, num: 0 } }])}`,
      );
      outsider.send(bomb);
      note({ kind: 'bomb', reasons: ['payload_too_large', 'inflate_budget'] });
      note({ kind: 'bomb-outside', reasons: ['not_in_session', 'rate_limited'] });
      sent += 2;
    } else if (roll < 0.04) {
      // The sleeper asks again, in a burst; the node gives it one a second and drops the rest.
      // (A single ask a roll would be no storm: on a slow machine the rolls are a second apart.)
      for (let i = 0; i < 3; i++) sleeper.send('2/agent,["page:resync"]');
      note({ kind: 'resync-storm', reasons: ['resync_limited'] });
      sent += 3;
    } else if (roll < 0.06) {
      // Agents without a valid token: refused at the namespace.
      const bad = random() < 0.5 ? {} : { auth: { token: `${token.slice(0, -4)}AAAA` } };
      await openRawFrames(server.url, '/agent', bad).then(
        (peer) => closers.push(() => peer.close()),
        () => undefined,
      );
      note({ kind: 'no-token', reasons: ['unauthorized'] });
      sent += 1;
    } else if (roll < 0.08) {
      // A reconnect storm, and a CONNECT storm on one connection.
      const storm = await Promise.all(Array.from({ length: 10 }, () => open('/customer')));
      for (const peer of storm) peer.close();
      // Each to another namespace: Socket.IO closes a connection that CONNECTs twice to one.
      const connects = await openRawFrames(server.url, null);
      connects.ws.on('error', () => undefined);
      closers.push(() => connects.close());
      for (let i = 0; i < 12; i++) connects.send(`0/storm-${i},`);
      note({ kind: 'connect-storm', reasons: ['too_many_connects'] });
      sent += 22;
    } else {
      const ns: Namespace = random() < 0.5 ? '/customer' : '/agent';
      const frame = hostileFrame(random, ns);
      const peer = frame.closes ? await open(ns) : await peerFor(ns);
      for (const f of frame.frames) {
        if (frame.engine && typeof f === 'string') peer.ws.send(f);
        else peer.send(f);
      }
      note(frame);
      sent += frame.frames.length;
      if (frame.closes) void peer.closed;
    }
    if (sent % 50 < 3) await breathe();
  }
  log(`fuzz: ${sent} hostile frames sent (seed ${seed})`);

  // Every kind of attack shows in the node's counts (they arrive a moment after the frames).
  const uncountedNow = async (): Promise<string[]> => {
    const dropped = delta(
      await sumsBy(server, 'tandem_messages_dropped_total', 'reason'),
      droppedBefore,
    );
    return [...needed]
      .filter(([, reasons]) => !reasons.some((r) => (dropped.get(r) ?? 0) > 0))
      .map(([kind, reasons]) => `${kind} (${reasons.join('|')})`);
  };
  await waitFor(
    async () => (await uncountedNow()).length === 0,
    'every kind of attack counted',
    15_000,
  ).catch(() => undefined);
  const uncounted = await uncountedNow();
  attacking = false;
  await legit;
  for (const close of closers) close();
  // Memory comes back once the attack is over (buffers freed, garbage collected).
  const bound = rssBefore + 128 * 1024 * 1024;
  await waitFor(
    async () => (await rss(server)) < bound,
    'resident memory back within bound',
    20_000,
  ).catch(() => undefined);
  return {
    seed,
    framesSent: sent,
    droppedByReason: delta(
      await sumsBy(server, 'tandem_messages_dropped_total', 'reason'),
      droppedBefore,
    ),
    connectionsDropped: delta(
      await sumsBy(server, 'tandem_connections_dropped_total', 'reason'),
      connectionsBefore,
    ),
    uncounted,
    legitReceived: received.map((b) => b.seq),
    legitSent,
    rssBefore,
    rssAfter: await rss(server),
  };
}
