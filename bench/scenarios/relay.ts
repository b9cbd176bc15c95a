/**
 * Relay latency: customer send → agent receive, on one node at several session counts, and
 * across two nodes through Redis (customer on one node, agent on the other).
 */
import {
  closeSessions,
  deploy,
  openSessions,
  pointerReportMsOf,
  type ContenderSpec,
  type StartContext,
} from '../lib/contenders.ts';
import { runLoad } from '../lib/load.ts';
import { interleave, judged, type RepResult, type ScenarioResult } from '../lib/results.ts';
import { percentiles } from '../lib/stats.ts';
import type { Trace } from '../lib/trace.ts';
import type { BenchSettings } from '../lib/settings.ts';

export const SINGLE_NODE: ContenderSpec[] = [
  { name: 'socket.io', kind: 'socket.io', nodes: 1 },
  { name: 'ws floor', kind: 'ws', nodes: 1 },
  { name: 'tandem', kind: 'tandem', nodes: 1 },
];

/** The one-node contenders, with the run's Tandem variants (`--tandem-env`, `--tandem-main`). */
export const singleNodeContenders = (ctx: StartContext): ContenderSpec[] => [
  ...SINGLE_NODE,
  ...(ctx.tandemVariants ?? []),
];

export const TWO_NODES: ContenderSpec[] = [
  { name: 'socket.io classic', kind: 'socket.io', nodes: 2, adapter: 'classic' },
  { name: 'socket.io sharded', kind: 'socket.io', nodes: 2, adapter: 'sharded' },
  { name: 'tandem classic', kind: 'tandem', nodes: 2, adapter: 'classic' },
  { name: 'tandem sharded', kind: 'tandem', nodes: 2, adapter: 'sharded' },
];

export async function measureRelay(
  spec: ContenderSpec,
  rep: number,
  sessionCount: number,
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<RepResult> {
  const dep = await deploy(spec, ctx);
  try {
    const sessions = await openSessions(dep, sessionCount, trace);
    const reportMs = pointerReportMsOf(spec);
    const result = await runLoad(sessions, trace, {
      batchRate: 10,
      pointerRate: 30,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      ...(reportMs !== undefined && { pointerReportMs: reportMs }),
    });
    closeSessions(sessions);
    const p = percentiles(result.latencies);
    return judged({
      rep,
      figures: {
        p50Ms: p.p50,
        p90Ms: p.p90,
        p99Ms: p.p99,
        lossPct: result.batchesSent
          ? (100 * (result.batchesSent - result.batchesReceived)) / result.batchesSent
          : Number.NaN,
      },
      samples: result.latencies,
      generatorCpu: result.generatorCpu,
    });
  } finally {
    await dep.stop();
  }
}

async function relayScenario(
  id: string,
  title: string,
  specs: ContenderSpec[],
  counts: number[],
  target: string,
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<ScenarioResult> {
  const variants = [];
  for (const count of counts) {
    const contenders = await interleave(
      specs,
      settings.reps,
      (spec, rep) => measureRelay(spec, rep, count, ctx, trace, settings),
      specs[0]!.name,
    );
    variants.push({ label: `${count} sessions`, contenders });
  }
  return {
    id,
    title,
    baseline: specs[0]!.name,
    headline: { figure: 'p99Ms', unit: 'ms', lowerIsBetter: true },
    shown: ['p50Ms', 'p99Ms', 'lossPct'],
    target,
    variants,
    notes: [
      `each session: 10 batches/s of ~${Math.round(trace.batches[0]!.length / 1024)} KB + 30 pointer/s; ${settings.durationMs} ms window after ${settings.warmupMs} ms warm-up`,
    ],
  };
}

export function runRelaySingle(
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<ScenarioResult> {
  return relayScenario(
    'relay-1-node',
    'Relay, one node: customer send → agent receive',
    singleNodeContenders(ctx),
    settings.sessionCounts,
    'p50 ≤0.5 ms, p99 ≤5 ms at 200 sessions',
    ctx,
    trace,
    settings,
  );
}

export function runRelayCluster(
  ctx: StartContext,
  trace: Trace,
  settings: BenchSettings,
): Promise<ScenarioResult> {
  return relayScenario(
    'relay-2-nodes',
    'Relay across two nodes through Redis (customer on one, agent on the other)',
    TWO_NODES,
    // 50 sessions besides 200: at 200, bare Socket.IO's two nodes and Redis already use the whole
    // server core, so the figure there measures what each contender does once it is saturated.
    settings.sessionCounts.filter((count) => count > 1),
    'p50 ≤1.5 ms, p99 ≤10 ms',
    ctx,
    trace,
    settings,
  );
}
