/**
 * The contenders of the relay scenarios: Tandem itself (one node, or two through Redis), the raw
 * `ws` floor and bare Socket.IO (alone, or on two nodes with the classic or sharded adapter).
 * Each starts its servers pinned to the server core and opens a session as its clients would:
 * Tandem's customer starts a session and sends a snapshot, its agent joins by code with a token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '../../server/src/protocol/index.ts';
import { mintTestToken, TEST_AGENT_SECRET } from '../../test/support/agent-tokens.ts';
import type { Pinning, ServerProcess } from './processes.ts';
import { spawnServer } from './processes.ts';
import type { BenchRedis } from './redis.ts';
import type { Trace } from './trace.ts';
import { connectPeer, type Peer, type Wire } from './wire-client.ts';

export type Adapter = 'classic' | 'sharded';

export interface ContenderSpec {
  /** The label in tables and charts. */
  name: string;
  kind: 'tandem' | 'socket.io' | 'ws';
  nodes: 1 | 2;
  adapter?: Adapter;
  /** Extra environment for this contender's server processes (e.g. `WS_NO_BUFFER_UTIL=1`). */
  env?: Record<string, string>;
  /** Tandem only: another build of the server to run (default: `server/dist/main.js`). */
  main?: string;
  /**
   * Tandem only: its customers send every pointer sample as a message of its own, as snippets
   * did before pointers rode the batch stream (for a build older than that, `--tandem-main`).
   */
  pointersPerEvent?: boolean;
}

/** How often Tandem's snippet reports the pointer at most (server/web/snippet/recorder.ts). */
export const SNIPPET_POINTER_REPORT_MS = 50;

/**
 * The customer activity's shape on the wire: Tandem's customers send what its snippet sends
 * (pointer reports at most every 50 ms, riding a batch when one goes first); the baselines
 * relay one message per event.
 */
export const pointerReportMsOf = (spec: ContenderSpec): number | undefined =>
  spec.kind === 'tandem' && !spec.pointersPerEvent ? SNIPPET_POINTER_REPORT_MS : undefined;

export interface Deployment {
  spec: ContenderSpec;
  /** Customers connect to the first node, agents to the last (another node in a cluster). */
  customerUrl: string;
  agentUrl: string;
  servers: ServerProcess[];
  stop(): Promise<void>;
}

export interface BenchSession {
  key: string;
  customer: Peer;
  agent: Peer;
  /** The next sequence number the customer sends (Tandem counts snapshots and batches). */
  seq: number;
}

export interface StartContext {
  pinning: Pinning;
  redis: BenchRedis | null;
  /** Tandem's per-connection and per-session message limits (raised for saturation). */
  messagesPerSecond?: number;
  /** Page origins allowed to connect to Tandem (the browser scenarios' generated shop). */
  corsOrigins?: string[];
  /** More Tandem contenders for the one-node scenarios, run interleaved with the first. */
  tandemVariants?: ContenderSpec[];
}

const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;
export const TANDEM_MAIN = fileURLToPath(new URL('../../server/dist/main.js', import.meta.url));
const WS_RELAY = fileURLToPath(new URL('../servers/ws-relay.ts', import.meta.url));
export const SIO_RELAY = fileURLToPath(new URL('../servers/sio-relay.ts', import.meta.url));

/** The URL a server (Tandem or a baseline) prints in its listening log line. */
export const listeningUrl = (line: string): string | undefined => {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    if (
      (entry.msg === 'listening' || entry.msg === 'tandem listening') &&
      typeof entry.url === 'string'
    )
      return entry.url;
  } catch {
    // not a JSON line
  }
  return undefined;
};

async function startTandemNode(spec: ContenderSpec, ctx: StartContext): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
  const rate = ctx.messagesPerSecond;
  const config = {
    server: { host: '127.0.0.1', port: 0, dataDir, shutdownGraceSeconds: 0, demo: false },
    tls: { enabled: false },
    metrics: { host: '127.0.0.1', port: 0 },
    log: { level: 'info' },
    agents: { secret: TEST_AGENT_SECRET },
    'cross-origin': { allowedOrigins: ctx.corsOrigins ?? [] },
    limits: {
      startsPerMinute: 1_000_000,
      joinAttemptsPerMinute: 1_000_000,
      ...(rate !== undefined && { messagesPerSecond: rate, sessionMessagesPerSecond: rate }),
    },
    ...(spec.nodes === 2 &&
      ctx.redis && {
        cluster: { redis: { url: ctx.redis.url }, adapter: spec.adapter ?? 'classic' },
      }),
  };
  const configFile = join(dataDir, 'tandem.json');
  await writeFile(configFile, JSON.stringify(config));
  const server = await spawnServer({
    // BENCH_CPU_PROF_DIR=dir: each Tandem node writes a V8 CPU profile there when it stops.
    nodeFlags: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    args: [spec.main ?? TANDEM_MAIN, '--config', configFile],
    ...(spec.env && { env: spec.env }),
    pinning: ctx.pinning,
    readyUrl: listeningUrl,
  });
  const stop = server.stop;
  return {
    ...server,
    async stop(signal) {
      await stop(signal);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function startBaselineNode(spec: ContenderSpec, ctx: StartContext): Promise<ServerProcess> {
  const args =
    spec.kind === 'ws'
      ? [WS_RELAY]
      : [
          SIO_RELAY,
          ...(spec.nodes === 2 && ctx.redis
            ? ['--redis', ctx.redis.url, '--adapter', spec.adapter ?? 'classic']
            : []),
        ];
  return spawnServer({
    args,
    ...(spec.env && { env: spec.env }),
    pinning: ctx.pinning,
    readyUrl: listeningUrl,
  });
}

export async function deploy(spec: ContenderSpec, ctx: StartContext): Promise<Deployment> {
  if (spec.nodes === 2 && !ctx.redis) throw new Error(`${spec.name} needs Redis`);
  await ctx.redis?.flush();
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < spec.nodes; i++)
      servers.push(
        spec.kind === 'tandem'
          ? await startTandemNode(spec, ctx)
          : await startBaselineNode(spec, ctx),
      );
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    spec,
    customerUrl: servers[0]!.url,
    agentUrl: servers[servers.length - 1]!.url,
    servers,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

const wireOf = (spec: ContenderSpec): Wire => (spec.kind === 'ws' ? 'ws' : 'socket.io');
let agentToken: Promise<string> | undefined;

/** Opens one customer and one agent in a session of their own. */
export async function openSession(
  dep: Deployment,
  index: number,
  trace: Trace,
): Promise<BenchSession> {
  const wire = wireOf(dep.spec);
  if (dep.spec.kind !== 'tandem') {
    const room = `room-${index}`;
    const agent = await connectPeer({
      wire,
      url: dep.agentUrl,
      namespace: '/agent',
      auth: { room },
    });
    const customer = await connectPeer({
      wire,
      url: dep.customerUrl,
      namespace: '/customer',
      auth: { room },
    });
    return { key: room, customer, agent, seq: 1 };
  }
  const customer = await connectPeer({
    wire,
    url: dep.customerUrl,
    namespace: '/customer',
    auth: {},
  });
  const started = (await customer.request(
    'session:start',
    JSON.stringify({ protocol: PROTOCOL_VERSION, url: trace.snapshot.url }),
  )) as { ok: boolean; code?: string; sessionId?: string; message?: string };
  if (!started.ok || !started.code)
    throw new Error(`session:start refused: ${JSON.stringify(started)}`);
  customer.emit('page:snapshot', JSON.stringify({ seq: 1, ...trace.snapshot }));
  agentToken ??= mintTestToken({ name: 'Bench' });
  const agent = await connectPeer({
    wire,
    url: dep.agentUrl,
    namespace: '/agent',
    auth: { token: await agentToken },
  });
  const joined = (await agent.request(
    'session:join',
    JSON.stringify({ protocol: PROTOCOL_VERSION, code: started.code, name: 'Bench' }),
  )) as { ok: boolean };
  if (!joined.ok) throw new Error(`session:join refused: ${JSON.stringify(joined)}`);
  return { key: started.sessionId ?? started.code, customer, agent, seq: 2 };
}

/** Opens `count` sessions, a few at a time (a burst of hundreds would measure the handshake). */
export async function openSessions(
  dep: Deployment,
  count: number,
  trace: Trace,
): Promise<BenchSession[]> {
  const sessions: BenchSession[] = [];
  for (let i = 0; i < count; i += 20) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, (_, j) => openSession(dep, i + j, trace)),
    );
    sessions.push(...chunk);
  }
  return sessions;
}

export function closeSessions(sessions: readonly BenchSession[]): void {
  for (const s of sessions) {
    s.customer.close();
    s.agent.close();
  }
}
