/**
 * Capacity: the saturation ramp (relayed messages per second until p99 passes 50 ms or a batch
 * is lost) and idle sockets per node (heap and RSS per socket after a full GC).
 */
import {
  closeSessions,
  deploy,
  type ContenderSpec,
  openSessions,
  type StartContext,
} from '../lib/contenders.ts';
import { runLoad } from '../lib/load.ts';
import { interleave, type RepResult, type ScenarioResult } from '../lib/results.ts';
import { percentiles } from '../lib/stats.ts';
import type { Trace } from '../lib/trace.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { connectPeer, type Peer } from '../lib/wire-client.ts';
import { PROTOCOL_VERSION } from '../../server/src/protocol/index.ts';
import { SINGLE_NODE, singleNodeContenders, TWO_NODES } from './relay.ts';

const P99_LIMIT_MS = 50;

async function measureSaturation(
  spec: ContenderSpec,
  rep: number,
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<RepResult> {
  const dep = await deploy(spec, { ...ctx, messagesPerSecond: 1_000_000 });
  try {
    const sessions = await openSessions(dep, settings.saturationSessions, trace);
    let best = { msgPerSec: 0, mbPerSec: 0, serverCpu: 0, rate: 0 };
    let stoppedBy = 'last step passed';
    let generatorCpu = 0;
    for (const rate of settings.saturationRates) {
      // One batch to three pointer messages, as in the relay scenario.
      const perSession = rate / sessions.length / 4;
      const cpuBefore = await Promise.all(dep.servers.map((s) => s.stats(false)));
      const result = await runLoad(sessions, trace, {
        batchRate: perSession,
        pointerRate: perSession * 3,
        warmupMs: Math.round(settings.saturationStepMs / 4),
        durationMs: settings.saturationStepMs,
        drainMs: 1000,
      });
      const cpuAfter = await Promise.all(dep.servers.map((s) => s.stats(false)));
      const p99 = percentiles(result.latencies).p99;
      const lost = result.batchesSent - result.batchesReceived;
      if (result.generatorCpu > 0.85) {
        stoppedBy = `generator-bound at ${rate} msg/s (a lower bound)`;
        generatorCpu = result.generatorCpu;
        break;
      }
      if (p99 > P99_LIMIT_MS || lost > 0) {
        stoppedBy = `${rate} msg/s: p99 ${p99.toFixed(1)} ms, ${lost} batches lost`;
        break;
      }
      const seconds = result.windowMs / 1000;
      const serverCpuSeconds =
        cpuAfter.reduce((n, s) => n + s.cpuMicros, 0) / 1e6 -
        cpuBefore.reduce((n, s) => n + s.cpuMicros, 0) / 1e6;
      best = {
        msgPerSec: (result.batchesReceived + result.pointersReceived) / seconds,
        mbPerSec: result.bytesReceived / seconds / 1e6,
        // CPU over the whole step (warm-up and drain too), as a share of the window.
        serverCpu: serverCpuSeconds / seconds,
        rate,
      };
      generatorCpu = Math.max(generatorCpu, result.generatorCpu);
    }
    closeSessions(sessions);
    return {
      rep,
      figures: {
        msgPerSec: best.msgPerSec,
        mbPerSec: best.mbPerSec,
        serverCores: best.serverCpu,
      },
      generatorCpu,
      // A ramp the generator cut short still bounds the server from below: kept, and said so.
      valid: best.msgPerSec > 0,
      note: stoppedBy,
    };
  } finally {
    await dep.stop();
  }
}

export async function runSaturation(
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<ScenarioResult> {
  const variants = [];
  for (const [label, specs] of [
    ['one node', singleNodeContenders(ctx)],
    ['two nodes', TWO_NODES],
  ] as const) {
    const contenders = await interleave(
      specs,
      settings.reps,
      (spec, rep) => measureSaturation(spec, rep, ctx, trace, settings),
      specs[0]!.name,
    );
    variants.push({ label, contenders });
  }
  return {
    id: 'saturation',
    title: `Saturation: highest relayed msg/s with p99 ≤${P99_LIMIT_MS} ms and no batch lost`,
    baseline: 'socket.io',
    headline: { figure: 'msgPerSec', unit: 'msg/s', lowerIsBetter: false },
    shown: ['msgPerSec', 'mbPerSec', 'serverCores'],
    target: '≥40k msg/s per core on one node; two nodes ≥20k msg/s total',
    variants,
    notes: [
      `${settings.saturationSessions} sessions, rates ${settings.saturationRates.join('/')} msg/s (1 batch : 3 pointers); every server on the one server core, so msg/s is per core`,
    ],
  };
}

async function openIdle(spec: ContenderSpec, url: string, index: number): Promise<Peer> {
  const wire = spec.kind === 'ws' ? 'ws' : 'socket.io';
  if (spec.kind !== 'tandem')
    return connectPeer({ wire, url, namespace: '/customer', auth: { room: `idle-${index}` } });
  const peer = await connectPeer({ wire, url, namespace: '/customer', auth: {} });
  const started = (await peer.request(
    'session:start',
    JSON.stringify({ protocol: PROTOCOL_VERSION, url: 'https://shop.bench/' }),
  )) as { ok: boolean };
  if (!started.ok) throw new Error(`session:start refused: ${JSON.stringify(started)}`);
  return peer;
}

async function measureIdle(
  spec: ContenderSpec,
  rep: number,
  ctx: StartContext,
  settings: BenchSettings,
): Promise<RepResult> {
  const dep = await deploy(spec, ctx);
  const peers: Peer[] = [];
  try {
    const server = dep.servers[0]!;
    // A few sockets first, so that lazily built structures are not counted against the many.
    for (let i = 0; i < 5; i++) peers.push(await openIdle(spec, dep.customerUrl, i));
    const before = await server.stats(true);
    for (let i = 5; i < settings.idleSockets + 5; i += 50) {
      const chunk = Math.min(50, settings.idleSockets + 5 - i);
      peers.push(
        ...(await Promise.all(
          Array.from({ length: chunk }, (_, j) => openIdle(spec, dep.customerUrl, i + j)),
        )),
      );
    }
    const after = await server.stats(true);
    const count = peers.length - 5;
    return {
      rep,
      figures: {
        heapPerSocketKB: (after.heapUsed - before.heapUsed) / count / 1024,
        rssPerSocketKB: (after.rss - before.rss) / count / 1024,
        sockets: count,
      },
      valid: true,
    };
  } finally {
    for (const peer of peers) peer.close();
    await dep.stop();
  }
}

export async function runIdle(ctx: StartContext, settings: BenchSettings): Promise<ScenarioResult> {
  const contenders = await interleave(
    singleNodeContenders(ctx),
    settings.reps,
    (spec, rep) => measureIdle(spec, rep, ctx, settings),
    SINGLE_NODE[0]!.name,
  );
  return {
    id: 'idle',
    title: 'Idle sockets per node: heap and RSS per socket after a full GC',
    baseline: SINGLE_NODE[0]!.name,
    headline: { figure: 'heapPerSocketKB', unit: 'KB', lowerIsBetter: true },
    shown: ['heapPerSocketKB', 'rssPerSocketKB', 'sockets'],
    target: '≤6 KB heap per idle socket',
    variants: [{ label: `${settings.idleSockets} sockets`, contenders }],
    notes: ['Tandem: each socket is a customer with a started session (its store record included)'],
  };
}
